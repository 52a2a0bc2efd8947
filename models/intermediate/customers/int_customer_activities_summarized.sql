{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.customer_activities_prepare() }}",
    post_hook="{{ omnichannel.customer_activities_finish() }}",
) }}
{#-
    One row per customer who ever acted (an engaged touch - open, click, chat, session, scan,
    visit - or an order): first and last activity, the channels they engaged or bought in, and
    the most recent return after a gap of at least var customer_dormancy_days without activity
    (null when there never was such a gap). Sends are the brand's action, not the customer's,
    and do not count. Orders count as 'web' (shopify) or 'store' (pos) channels.
    Incremental per customer on DuckDB (var journeys_incremental; macros/customer_changes.sql,
    doc customer_summaries_incremental): re-aggregates only the customers whose touches or
    conversions changed since its last build.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

activities as (
    {{ omnichannel.customer_activities('touchpoints', 'conversions') }}
),

returns as (
    select
        customer_id,
        max(active_at) as last_returned_at
    from ({{ omnichannel.customer_returns('activities') }}) as returned
    group by customer_id
),

channels_distinct as (
    select distinct
        customer_id,
        channel
    from activities
),

channels_listed as (
    select
        customer_id,
        count(*) as engaged_channel_count,
        {{ dbt.listagg('channel', "','", 'order by channel') }} as engaged_channels
    from channels_distinct
    group by customer_id
),

activity_bounds as (
    select
        customer_id,
        min(active_at) as first_active_at,
        max(active_at) as last_active_at
    from activities
    group by customer_id
),

final as (
    select
        activity_bounds.customer_id,
        channels_listed.engaged_channels,
        channels_listed.engaged_channel_count,
        activity_bounds.first_active_at,
        activity_bounds.last_active_at,
        returns.last_returned_at
    from activity_bounds
    inner join channels_listed
        on activity_bounds.customer_id = channels_listed.customer_id
    left join returns
        on activity_bounds.customer_id = returns.customer_id
)

select * from final
