{%- set dormancy_days = var('customer_dormancy_days') | int -%}
{%- set window_days = var('message_conversion_window_days') | int -%}
{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    One row per customer who went dormant: no engaged touch or order for at least
    var customer_dormancy_days, either between two activities (and came back) or up to the
    as-of date (still dormant). The latest such spell counts. For a return, the touch that
    brought them back is the returning activity itself when it carries a campaign (a click on
    a reactivation message), else the latest message sent to them within
    var message_conversion_window_days days before the return.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

lifecycles as (
    select * from {{ ref('int_customer_lifecycles_staged') }}
),

activities as (
    select
        customer_id,
        touchpoint_id as activity_id,
        channel,
        campaign_id,
        occurred_at as active_at
    from touchpoints
    where is_engaged and customer_id is not null
    union all
    select
        customer_id,
        conversion_id as activity_id,
        case when source = 'pos' then 'store' else 'web' end as channel,
        cast(null as {{ api.Column.translate_type('string') }}) as campaign_id,
        converted_at as active_at
    from conversions
    where customer_id is not null
),

activity_gaps as (
    select
        customer_id,
        activity_id,
        channel,
        campaign_id,
        active_at,
        lag(active_at) over (
            partition by customer_id
            order by active_at asc, activity_id asc
        ) as previous_active_at
    from activities
),

returns_ranked as (
    select
        customer_id,
        channel,
        campaign_id,
        active_at as reactivated_at,
        previous_active_at as last_active_before_at,
        row_number() over (
            partition by customer_id
            order by active_at desc, activity_id desc
        ) as recency_rank
    from activity_gaps
    where
        previous_active_at is not null
        and {{ dbt.datediff(
            'previous_active_at', 'active_at', 'day'
        ) }} >= {{ dormancy_days }}
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
    where touchpoints.touch_type = 'sent'
),

currently_dormant as (
    select
        lifecycles.customer_id,
        lifecycles.days_since_last_active
    from lifecycles
    where lifecycles.lifecycle_stage = 'dormant'
),

last_activity as (
    select
        customer_id,
        max(active_at) as last_active_at
    from activities
    group by customer_id
),

spells as (
    select
        currently_dormant.customer_id,
        last_activity.last_active_at as dormant_since_at,
        false as is_reactivated,
        cast(null as timestamp) as reactivated_at,
        cast(null as {{ api.Column.translate_type('string') }}) as return_channel,
        cast(null as {{ api.Column.translate_type('string') }}) as reactivation_channel,
        cast(null as {{ api.Column.translate_type('string') }}) as reactivation_campaign_id,
        cast(null as timestamp) as reactivation_sent_at,
        currently_dormant.days_since_last_active as days_dormant
    from currently_dormant
    inner join last_activity
        on currently_dormant.customer_id = last_activity.customer_id
    union all
    select
        latest_returns.customer_id,
        latest_returns.last_active_before_at as dormant_since_at,
        true as is_reactivated,
        latest_returns.reactivated_at,
        latest_returns.channel as return_channel,
        case
            when latest_returns.campaign_id is not null then latest_returns.channel
            else sends_before_return.channel
        end as reactivation_channel,
        coalesce(latest_returns.campaign_id, sends_before_return.campaign_id)
            as reactivation_campaign_id,
        sends_before_return.sent_at as reactivation_sent_at,
        {{ dbt.datediff(
            'latest_returns.last_active_before_at', 'latest_returns.reactivated_at', 'day'
        ) }} as days_dormant
    from latest_returns
    left join sends_before_return
        on
            latest_returns.customer_id = sends_before_return.customer_id
            and sends_before_return.recency_rank = 1
    left join currently_dormant
        on latest_returns.customer_id = currently_dormant.customer_id
    where currently_dormant.customer_id is null
),

final as (
    select
        customer_id,
        return_channel,
        reactivation_channel,
        reactivation_campaign_id,
        cast(days_dormant as {{ count_type }}) as days_dormant,
        -- double on every engine (Spark reads 24.0 as a decimal literal)
        cast({{ dbt.datediff(
            'reactivation_sent_at', 'reactivated_at', 'hour'
        ) }} as double) / 24 as days_from_send_to_return,
        is_reactivated,
        dormant_since_at,
        reactivation_sent_at,
        reactivated_at
    from spells
)

select * from final
