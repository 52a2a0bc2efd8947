{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.customer_returns_prepare() }}",
    post_hook="{{ omnichannel.customer_returns_finish() }}",
) }}
{%- set window_days = var('message_conversion_window_days') | int -%}
{#-
    One row per customer who came back after a dormant spell: an activity (engaged touch or
    order) at least var customer_dormancy_days after the one before it. The latest such return
    counts. The touch that brought them back is the returning activity itself when it carries a
    campaign (a click on a reactivation message), else the latest message sent to them within
    var message_conversion_window_days days before the return.
    A row depends on its customer's own history only, never on the as-of date (the mart
    customer_reactivations adds the customers dormant now from int_customer_lifecycles_staged).
    Messages are the brand's sends on LINE, SMS and email (the only channels it sends on).
    Incremental per customer on DuckDB (var journeys_incremental; macros/customer_changes.sql,
    doc customer_summaries_incremental): derives again only the customers that
    int_customer_activities_summarized (engaged touches, orders) and
    int_customer_channel_responses (LINE, SMS, email touches) logged since its last build.
-#}
-- depends_on: {{ ref('int_customer_activities_summarized') }}
-- depends_on: {{ ref('int_customer_channel_responses') }}
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

returns_ranked as (
    select
        customer_id,
        channel,
        campaign_id,
        active_at as reactivated_at,
        previous_active_at as dormant_since_at,
        row_number() over (
            partition by customer_id
            order by active_at desc, activity_id desc
        ) as recency_rank
    from ({{ omnichannel.customer_returns('activities') }}) as returned
),

latest_returns as (
    select * from returns_ranked
    where recency_rank = 1
),

sends_before_return as (
    select
        latest_returns.customer_id,
        touchpoints.channel,
        touchpoints.campaign_id,
        touchpoints.occurred_at as sent_at,
        row_number() over (
            partition by latest_returns.customer_id
            order by touchpoints.occurred_at desc, touchpoints.touchpoint_id desc
        ) as recency_rank
    from latest_returns
    inner join touchpoints
        on
            latest_returns.customer_id = touchpoints.customer_id
            and {{ dbt.dateadd('day', -window_days, 'latest_returns.reactivated_at') }}
            <= touchpoints.occurred_at
            and latest_returns.reactivated_at >= touchpoints.occurred_at
    where
        touchpoints.touch_type = 'sent'
        and touchpoints.channel in ('line', 'sms', 'email')
),

final as (
    select
        latest_returns.customer_id,
        latest_returns.channel as return_channel,
        case
            when latest_returns.campaign_id is not null then latest_returns.channel
            else sends_before_return.channel
        end as reactivation_channel,
        coalesce(latest_returns.campaign_id, sends_before_return.campaign_id)
            as reactivation_campaign_id,
        latest_returns.dormant_since_at,
        sends_before_return.sent_at as reactivation_sent_at,
        latest_returns.reactivated_at
    from latest_returns
    left join sends_before_return
        on
            latest_returns.customer_id = sends_before_return.customer_id
            and sends_before_return.recency_rank = 1
)

select * from final
