{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    One row per customer who went dormant: no engaged touch or order for at least
    var customer_dormancy_days, either between two activities (and came back) or up to the
    as-of date (still dormant). The latest such spell counts. For a return, the touch that
    brought them back is the returning activity itself when it carries a campaign (a click on
    a reactivation message), else the latest message sent to them within
    var message_conversion_window_days days before the return.
    The two parts are kept apart by what they depend on: a customer's latest return (and the
    send before it) depends on the customer's own history only and is kept per customer,
    incrementally, in int_customer_returns_latest; being dormant now depends on the as-of date,
    which moves every customer's day counts, and is read each run from
    int_customer_lifecycles_staged (its last activity from int_customer_activities_summarized).
    A customer dormant now shows that spell, not an earlier return.
-#}
with

returns as (
    select * from {{ ref('int_customer_returns_latest') }}
),

activities as (
    select * from {{ ref('int_customer_activities_summarized') }}
),

lifecycles as (
    select * from {{ ref('int_customer_lifecycles_staged') }}
),

currently_dormant as (
    select
        lifecycles.customer_id,
        lifecycles.days_since_last_active
    from lifecycles
    where lifecycles.lifecycle_stage = 'dormant'
),

spells as (
    select
        currently_dormant.customer_id,
        activities.last_active_at as dormant_since_at,
        false as is_reactivated,
        cast(null as timestamp) as reactivated_at,
        cast(null as {{ api.Column.translate_type('string') }}) as return_channel,
        cast(null as {{ api.Column.translate_type('string') }}) as reactivation_channel,
        cast(null as {{ api.Column.translate_type('string') }}) as reactivation_campaign_id,
        cast(null as timestamp) as reactivation_sent_at,
        currently_dormant.days_since_last_active as days_dormant
    from currently_dormant
    inner join activities
        on currently_dormant.customer_id = activities.customer_id
    union all
    select
        returns.customer_id,
        returns.dormant_since_at,
        true as is_reactivated,
        returns.reactivated_at,
        returns.return_channel,
        returns.reactivation_channel,
        returns.reactivation_campaign_id,
        returns.reactivation_sent_at,
        {{ dbt.datediff(
            'returns.dormant_since_at', 'returns.reactivated_at', 'day'
        ) }} as days_dormant
    from returns
    left join currently_dormant
        on returns.customer_id = currently_dormant.customer_id
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
