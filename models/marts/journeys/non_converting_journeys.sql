{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.non_converting_journeys_mart_prepare() }}",
    post_hook="{{ omnichannel.non_converting_journeys_mart_finish() }}",
) }}
{#-
    Incremental per customer on DuckDB (var journeys_incremental; macros/journey_changes.sql,
    doc journey_chain_incremental): a path is one customer's. The pre-hook deletes and this SQL
    re-derives the customers int_non_converting_paths_windowed re-derived since this mart's last
    run. --full-refresh, the var off and Spark rebuild in full.
-#}
with

open_touches as (
    select * from {{ ref('int_non_converting_paths_windowed') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

touches_flagged as (
    select
        *,
        lag(channel) over (partition by path_id order by touch_position) as previous_channel
    from open_touches
),

paths as (
    select
        path_id,
        customer_id,
        {{ channel_path() }} as channel_path,
        count(*) as touch_count,
        count(distinct channel) as distinct_channel_count,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at
    from touches_flagged
    group by path_id, customer_id
),

collapsed_paths as (
    select
        path_id,
        {{ channel_path() }}
            as channel_path_collapsed
    from touches_flagged
    where previous_channel is null or previous_channel != channel
    group by path_id
),

final as (
    select
        paths.path_id,
        paths.customer_id,
        paths.channel_path,
        collapsed_paths.channel_path_collapsed,
        paths.touch_count,
        paths.distinct_channel_count,
        paths.first_touch_at,
        paths.last_touch_at
    from paths
    inner join collapsed_paths
        on paths.path_id = collapsed_paths.path_id
)

select * from final
