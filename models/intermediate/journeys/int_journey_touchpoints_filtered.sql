{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.journey_touchpoints_filtered_prepare() }}",
    post_hook="{{ omnichannel.journey_touchpoints_filtered_finish() }}",
) }}
{#-
    The touches journeys and non-converting paths are made of: the engaged touches of a known
    customer (int_touchpoints_unioned.is_engaged: opens, clicks, replies, chats, sessions, scans,
    visits; never sent / delivered), except
    - the checkout session: an unsourced (direct) web or app session in which a Shopify order was
      placed is the purchase itself, not a touch that led to it or to any later order; a session
      that arrived from an ad or a message and ended in a purchase stays (the arrival is the touch);
    - repeated engagement with one message: on message channels (line, sms, email) a customer's
      engaged touches of one campaign are one engagement (an email open, its click and the web
      session the click opened), kept once, at the first.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

engaged as (
    select
        touchpoint_id,
        customer_id,
        channel,
        touch_type,
        campaign_id,
        occurred_at
    from touchpoints
    where
        is_engaged
        and customer_id is not null
        and not (channel = 'direct' and session_order_id is not null)
),

engagements_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, channel, campaign_id
            order by occurred_at, touchpoint_id
        ) as engagement_rank
    from engaged
),

final as (
    select
        touchpoint_id,
        customer_id,
        channel,
        touch_type,
        campaign_id,
        occurred_at
    from engagements_ranked
    where
        engagement_rank = 1
        or campaign_id is null
        or channel not in ('line', 'sms', 'email')
)

select * from final
