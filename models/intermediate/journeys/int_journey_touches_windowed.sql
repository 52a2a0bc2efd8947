{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.journey_touches_windowed_prepare() }}",
    post_hook="{{ omnichannel.journey_touches_windowed_finish() }}",
) }}
{%- set lookback_days = var('attribution_lookback_days') | int -%}
{#-
    The journey of every conversion: one row per conversion x touch of the same customer
    (int_journey_touchpoints_filtered: engaged, checkout sessions and repeated engagement with
    one message left out) strictly before the conversion and at most var
    attribution_lookback_days days before it. Touches are ordered by time, ties broken by
    touchpoint_id; touch_position counts from 1.
-#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

touchpoints as (
    select * from {{ ref('int_journey_touchpoints_filtered') }}
    {{ omnichannel.journey_changes_customers_filter() }}
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
),

positioned as (
    select
        *,
        row_number() over (
            partition by conversion_id
            order by occurred_at, touchpoint_id
        ) as touch_position,
        count(*) over (partition by conversion_id) as touch_count,
        -- double on every engine (Spark reads 86400.0 as a decimal literal and rounds)
        cast({{ dbt.datediff(
            'occurred_at', 'converted_at', 'second'
        ) }} as double) / 86400 as days_before_conversion
    from windowed
)

select * from positioned
