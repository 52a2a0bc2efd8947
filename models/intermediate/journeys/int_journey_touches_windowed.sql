{%- set lookback_days = var('attribution_lookback_days') | int -%}
{#-
    The journey of every conversion: one row per conversion x engaged touch of the same customer
    strictly before the conversion and at most var attribution_lookback_days days before it. The
    web session in which an online order was placed is the checkout itself, not a touch that led
    to it, when it has no source (direct); a session that arrived from an ad or a message stays.
    Touches are ordered by time, ties broken by touchpoint_id; touch_position counts from 1.
-#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

windowed as (
    select
        conversions.conversion_id,
        touchpoints.touchpoint_id,
        conversions.customer_id,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.occurred_at,
        conversions.converted_at
    from conversions
    inner join touchpoints
        on
            conversions.customer_id = touchpoints.customer_id
            and conversions.converted_at > touchpoints.occurred_at
            and {{ dbt.dateadd('day', -lookback_days, 'conversions.converted_at') }}
            <= touchpoints.occurred_at
            and touchpoints.is_engaged
    where
        not (
            conversions.source = 'shopify'
            and touchpoints.channel = 'direct'
            and touchpoints.session_order_id = conversions.source_order_id
        )
),

positioned as (
    select
        *,
        row_number() over (
            partition by conversion_id
            order by occurred_at, touchpoint_id
        ) as touch_position,
        count(*) over (partition by conversion_id) as touch_count,
        {{ dbt.datediff(
            'occurred_at', 'converted_at', 'second'
        ) }} / 86400.0 as days_before_conversion
    from windowed
)

select * from positioned
