{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.journeys_mart_prepare() }}",
    post_hook="{{ omnichannel.journeys_mart_finish() }}",
) }}
{#-
    Incremental per conversion on DuckDB (var journeys_incremental; macros/journey_changes.sql,
    doc journey_chain_incremental): a row is a function of its conversion and that
    conversion's journey touches. The pre-hook deletes and this SQL re-derives the conversions
    new, gone or changed since the conversions this mart saved, and every conversion of the
    customers int_journey_touches_windowed re-derived since this mart's last run, so the table
    equals a full refresh's. --full-refresh, the var off and Spark rebuild in full.
-#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
    {{ omnichannel.journey_changes_customers_filter('conversion_id', 'conversion_id') }}
),

journey_touches as (
    select * from {{ ref('int_journey_touches_windowed') }}
    {{ omnichannel.journey_changes_customers_filter('conversion_id', 'conversion_id') }}
),

touches_flagged as (
    select
        *,
        lag(channel) over (partition by conversion_id order by touch_position)
            as previous_channel,
        row_number() over (
            partition by conversion_id, channel
            order by touch_position
        ) as channel_occurrence
    from journey_touches
),

paths as (
    select
        conversion_id,
        {{ channel_path() }} as channel_path,
        count(*) as touch_count,
        count(distinct channel) as distinct_channel_count,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at
    from touches_flagged
    group by conversion_id
),

collapsed_paths as (
    select
        conversion_id,
        {{ channel_path() }}
            as channel_path_collapsed
    from touches_flagged
    where previous_channel is null or previous_channel != channel
    group by conversion_id
),

first_occurrence_paths as (
    select
        conversion_id,
        {{ channel_path() }}
            as channel_path_first_occurrence
    from touches_flagged
    where channel_occurrence = 1
    group by conversion_id
),

first_touches as (
    select
        conversion_id,
        channel as first_touch_channel,
        campaign_id as first_touch_campaign_id
    from journey_touches
    where touch_position = 1
),

last_touches as (
    select
        conversion_id,
        channel as last_touch_channel
    from journey_touches
    where touch_position = touch_count
),

final as (
    select
        conversions.conversion_id,
        conversions.customer_id,
        conversions.source,
        paths.channel_path,
        collapsed_paths.channel_path_collapsed,
        first_occurrence_paths.channel_path_first_occurrence,
        first_touches.first_touch_channel,
        first_touches.first_touch_campaign_id,
        last_touches.last_touch_channel,
        coalesce(paths.touch_count, 0) as touch_count,
        coalesce(paths.distinct_channel_count, 0) as distinct_channel_count,
        cast({{ var('attribution_lookback_days') }} as {{ api.Column.translate_type('integer') }})
            as lookback_days,
        cast(
            {{ dbt.datediff('paths.first_touch_at', 'conversions.converted_at', 'second') }}
            as {{ 'double' }}
        ) / 86400 as days_to_convert,
        conversions.revenue,
        paths.touch_count is not null as has_touches,
        paths.first_touch_at,
        paths.last_touch_at,
        conversions.converted_at
    from conversions
    left join paths
        on conversions.conversion_id = paths.conversion_id
    left join collapsed_paths
        on conversions.conversion_id = collapsed_paths.conversion_id
    left join first_occurrence_paths
        on conversions.conversion_id = first_occurrence_paths.conversion_id
    left join first_touches
        on conversions.conversion_id = first_touches.conversion_id
    left join last_touches
        on conversions.conversion_id = last_touches.conversion_id
)

select * from final
