{%- set money = 'decimal(18, 4)' -%}
{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    Per channel x campaign x day (UTC date of the touch): message funnel counts, conversions
    and revenue credited by the last-touch model (a conversion counts on the day and campaign of
    its last engaged touch), message cost, cost per click and per conversion. Touches without a
    campaign are grouped under campaign_id '(none)'.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

credits as (
    select * from {{ ref('int_rule_credits_computed') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

touch_metrics as (
    select
        channel,
        coalesce(campaign_id, '(none)') as campaign_id,
        cast(occurred_at as date) as activity_date,
        sum(case when touch_type = 'sent' then 1 else 0 end) as sent_count,
        sum(case when touch_type = 'delivered' then 1 else 0 end) as delivered_count,
        sum(case when touch_type = 'opened' then 1 else 0 end) as opened_count,
        sum(case when touch_type = 'clicked' then 1 else 0 end) as clicked_count,
        sum(cost) as message_cost
    from touchpoints
    group by
        channel,
        coalesce(campaign_id, '(none)'),
        cast(occurred_at as date)
),

conversion_metrics as (
    select
        touchpoints.channel,
        coalesce(touchpoints.campaign_id, '(none)') as campaign_id,
        cast(touchpoints.occurred_at as date) as activity_date,
        sum(credits.credit) as conversion_count,
        sum(credits.credit * conversions.revenue) as revenue
    from credits
    inner join touchpoints
        on credits.touchpoint_id = touchpoints.touchpoint_id
    inner join conversions
        on credits.conversion_id = conversions.conversion_id
    where credits.model = 'last_touch' and credits.credit > 0
    group by
        touchpoints.channel,
        coalesce(touchpoints.campaign_id, '(none)'),
        cast(touchpoints.occurred_at as date)
),

final as (
    select
        touch_metrics.channel,
        touch_metrics.campaign_id,
        cast(touch_metrics.sent_count as {{ count_type }}) as sent_count,
        cast(touch_metrics.delivered_count as {{ count_type }}) as delivered_count,
        cast(touch_metrics.opened_count as {{ count_type }}) as opened_count,
        cast(touch_metrics.clicked_count as {{ count_type }}) as clicked_count,
        cast(coalesce(conversion_metrics.conversion_count, 0) as double) as conversion_count,
        cast(coalesce(conversion_metrics.revenue, 0) as decimal(18, 2)) as revenue,
        cast(touch_metrics.message_cost as {{ money }}) as message_cost,
        cast(
            touch_metrics.message_cost / nullif(touch_metrics.clicked_count, 0) as {{ money }}
        ) as cost_per_click,
        cast(
            touch_metrics.message_cost / nullif(conversion_metrics.conversion_count, 0)
            as {{ money }}
        ) as cost_per_conversion,
        touch_metrics.activity_date
    from touch_metrics
    left join conversion_metrics
        on
            touch_metrics.channel = conversion_metrics.channel
            and touch_metrics.campaign_id = conversion_metrics.campaign_id
            and touch_metrics.activity_date = conversion_metrics.activity_date
)

select * from final
