{%- set window_days = var('message_conversion_window_days') | int -%}
{%- set count_type = api.Column.translate_type('bigint') -%}
{%- set money = 'decimal(18, 4)' -%}
{#-
    LINE-then-SMS fallback, one row per LINE campaign that had a fallback. A LINE recipient
    opened when they clicked the message's link within 24 hours of the send. A fallback SMS is
    an SMS sent to the same customer 23 to 25 hours after the LINE send, whose campaign (known
    from the link's tags when clicked) is unknown or the same; a campaign counts as a fallback
    campaign when at least one of its SMS links carries its campaign id (so a regular SMS
    campaign that happens to go out a day after a LINE campaign is not taken for one).
    Conversions are orders within
    var message_conversion_window_days days after the LINE send (openers, non-openers without
    SMS) or after the SMS (SMS recipients).
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

line_deliveries as (
    select
        customer_id,
        campaign_id,
        min(occurred_at) as sent_at
    from touchpoints
    where
        channel = 'line' and touch_type = 'delivered'
        and customer_id is not null and campaign_id is not null
    group by customer_id, campaign_id
),

line_costs as (
    select
        campaign_id,
        sum(cost) as line_cost
    from touchpoints
    where channel = 'line' and touch_type = 'sent' and campaign_id is not null
    group by campaign_id
),

line_clicks as (
    select
        customer_id,
        campaign_id,
        min(occurred_at) as clicked_at
    from touchpoints
    where channel = 'line' and touch_type = 'clicked' and customer_id is not null
    group by customer_id, campaign_id
),

sms_sends as (
    select
        touchpoint_id,
        customer_id,
        campaign_id,
        cost,
        occurred_at as sent_at
    from touchpoints
    where channel = 'sms' and touch_type = 'sent' and customer_id is not null
),

sms_outcomes as (
    select
        customer_id,
        campaign_id,
        occurred_at,
        touch_type
    from touchpoints
    where channel = 'sms' and touch_type in ('delivered', 'clicked') and customer_id is not null
),

recipients as (
    select
        line_deliveries.customer_id,
        line_deliveries.campaign_id,
        line_deliveries.sent_at,
        coalesce(
            line_clicks.clicked_at <= {{ dbt.dateadd('hour', 24, 'line_deliveries.sent_at') }},
            false
        ) as is_opener
    from line_deliveries
    left join line_clicks
        on
            line_deliveries.customer_id = line_clicks.customer_id
            and line_deliveries.campaign_id = line_clicks.campaign_id
),

fallback_sms as (
    select
        recipients.customer_id,
        recipients.campaign_id,
        min(sms_sends.sent_at) as sms_sent_at,
        sum(sms_sends.cost) as sms_cost,
        max(case when recipients.campaign_id = sms_sends.campaign_id then 1 else 0 end)
            as has_campaign_tag
    from recipients
    inner join sms_sends
        on
            recipients.customer_id = sms_sends.customer_id
            and {{ dbt.dateadd('hour', 23, 'recipients.sent_at') }} <= sms_sends.sent_at
            and {{ dbt.dateadd('hour', 25, 'recipients.sent_at') }} >= sms_sends.sent_at
            and (
                sms_sends.campaign_id is null
                or recipients.campaign_id = sms_sends.campaign_id
            )
    where not recipients.is_opener
    group by recipients.customer_id, recipients.campaign_id
),

fallback_outcomes as (
    select
        fallback_sms.customer_id,
        fallback_sms.campaign_id,
        max(case when sms_outcomes.touch_type = 'delivered' then 1 else 0 end) as is_delivered,
        max(
            case
                when
                    sms_outcomes.touch_type = 'clicked'
                    and coalesce(sms_outcomes.campaign_id, fallback_sms.campaign_id)
                    = fallback_sms.campaign_id
                    then 1
                else 0
            end
        ) as is_clicked
    from fallback_sms
    left join sms_outcomes
        on
            fallback_sms.customer_id = sms_outcomes.customer_id
            and fallback_sms.sms_sent_at <= sms_outcomes.occurred_at
            and {{ dbt.dateadd('day', window_days, 'fallback_sms.sms_sent_at') }}
            >= sms_outcomes.occurred_at
    group by fallback_sms.customer_id, fallback_sms.campaign_id
),

recipient_outcomes as (
    select
        recipients.customer_id,
        recipients.campaign_id,
        recipients.is_opener,
        fallback_sms.sms_sent_at is not null as got_sms,
        coalesce(fallback_outcomes.is_delivered, 0) as sms_delivered,
        coalesce(fallback_outcomes.is_clicked, 0) as sms_clicked,
        coalesce(fallback_sms.sms_cost, 0) as sms_cost,
        coalesce(fallback_sms.has_campaign_tag, 0) as has_campaign_tag,
        coalesce(fallback_sms.sms_sent_at, recipients.sent_at) as window_start_at
    from recipients
    left join fallback_sms
        on
            recipients.customer_id = fallback_sms.customer_id
            and recipients.campaign_id = fallback_sms.campaign_id
    left join fallback_outcomes
        on
            recipients.customer_id = fallback_outcomes.customer_id
            and recipients.campaign_id = fallback_outcomes.campaign_id
),

recipient_conversions as (
    select
        recipient_outcomes.customer_id,
        recipient_outcomes.campaign_id,
        count(*) as order_count,
        sum(conversions.revenue) as revenue
    from recipient_outcomes
    inner join conversions
        on
            recipient_outcomes.customer_id = conversions.customer_id
            and recipient_outcomes.window_start_at < conversions.converted_at
            and {{ dbt.dateadd('day', window_days, 'recipient_outcomes.window_start_at') }}
            >= conversions.converted_at
    group by recipient_outcomes.customer_id, recipient_outcomes.campaign_id
),

campaigns as (
    select
        recipient_outcomes.campaign_id,
        count(*) as line_delivered_count,
        sum(case when recipient_outcomes.is_opener then 1 else 0 end) as line_opener_count,
        sum(case when recipient_outcomes.is_opener then 0 else 1 end) as line_non_opener_count,
        sum(case when recipient_outcomes.got_sms then 1 else 0 end) as sms_sent_count,
        sum(recipient_outcomes.sms_delivered) as sms_delivered_count,
        sum(recipient_outcomes.sms_clicked) as sms_clicked_count,
        sum(recipient_outcomes.sms_cost) as sms_cost,
        max(recipient_outcomes.has_campaign_tag) as has_campaign_tag,
        sum(
            case
                when recipient_outcomes.is_opener and recipient_conversions.order_count > 0
                    then 1
                else 0
            end
        ) as line_opener_converted_count,
        sum(
            case when recipient_outcomes.is_opener then recipient_conversions.revenue end
        ) as line_opener_revenue,
        sum(
            case
                when recipient_outcomes.got_sms and recipient_conversions.order_count > 0 then 1
                else 0
            end
        ) as sms_converted_count,
        sum(
            case when recipient_outcomes.got_sms then recipient_conversions.revenue end
        ) as sms_revenue,
        sum(
            case
                when not recipient_outcomes.is_opener and not recipient_outcomes.got_sms
                    then 1
                else 0
            end
        ) as no_sms_non_opener_count,
        sum(
            case
                when
                    not recipient_outcomes.is_opener
                    and not recipient_outcomes.got_sms
                    and recipient_conversions.order_count > 0
                    then 1
                else 0
            end
        ) as no_sms_converted_count
    from recipient_outcomes
    left join recipient_conversions
        on
            recipient_outcomes.customer_id = recipient_conversions.customer_id
            and recipient_outcomes.campaign_id = recipient_conversions.campaign_id
    group by recipient_outcomes.campaign_id
),

final as (
    select
        campaigns.campaign_id,
        cast(campaigns.line_delivered_count as {{ count_type }}) as line_delivered_count,
        cast(campaigns.line_opener_count as {{ count_type }}) as line_opener_count,
        cast(campaigns.line_non_opener_count as {{ count_type }}) as line_non_opener_count,
        cast(campaigns.sms_sent_count as {{ count_type }}) as sms_sent_count,
        cast(campaigns.sms_delivered_count as {{ count_type }}) as sms_delivered_count,
        cast(campaigns.sms_clicked_count as {{ count_type }}) as sms_clicked_count,
        cast(campaigns.line_opener_converted_count as {{ count_type }})
            as line_opener_converted_count,
        cast(campaigns.sms_converted_count as {{ count_type }}) as sms_converted_count,
        cast(campaigns.no_sms_non_opener_count as {{ count_type }}) as no_sms_non_opener_count,
        cast(campaigns.no_sms_converted_count as {{ count_type }}) as no_sms_converted_count,
        cast(campaigns.sms_delivered_count as double)
        / nullif(campaigns.line_non_opener_count, 0) as sms_reach_rate,
        cast(campaigns.line_opener_converted_count as double)
        / nullif(campaigns.line_opener_count, 0) as line_opener_conversion_rate,
        cast(campaigns.sms_converted_count as double)
        / nullif(campaigns.sms_sent_count, 0) as sms_conversion_rate,
        cast(campaigns.no_sms_converted_count as double)
        / nullif(campaigns.no_sms_non_opener_count, 0) as no_sms_conversion_rate,
        cast(line_costs.line_cost as {{ money }}) as line_cost,
        cast(campaigns.sms_cost as {{ money }}) as sms_cost,
        cast(
            campaigns.sms_cost / nullif(campaigns.sms_converted_count, 0) as {{ money }}
        ) as sms_cost_per_conversion,
        cast(coalesce(campaigns.line_opener_revenue, 0) as decimal(18, 2))
            as line_opener_revenue,
        cast(coalesce(campaigns.sms_revenue, 0) as decimal(18, 2)) as sms_revenue
    from campaigns
    left join line_costs
        on campaigns.campaign_id = line_costs.campaign_id
    where campaigns.sms_sent_count > 0 and campaigns.has_campaign_tag = 1
)

select * from final
