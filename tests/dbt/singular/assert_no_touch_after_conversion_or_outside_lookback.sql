{%- set lookback_days = var('attribution_lookback_days') | int -%}
-- No credited touch happens at or after its conversion or before the lookback window opens.
with

credits as (
    select * from {{ ref('attribution_credits') }}
),

conversions as (
    select * from {{ ref('conversions') }}
),

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

conversion_windows as (
    select
        conversion_id,
        customer_id,
        converted_at,
        {{ dbt.dateadd('day', -lookback_days, 'converted_at') }} as window_opened_at
    from conversions
),

violations as (
    select
        credits.conversion_id,
        credits.touchpoint_id,
        credits.model,
        touchpoints.occurred_at,
        conversion_windows.converted_at
    from credits
    inner join conversion_windows
        on credits.conversion_id = conversion_windows.conversion_id
    inner join touchpoints
        on credits.touchpoint_id = touchpoints.touchpoint_id
    where
        touchpoints.occurred_at >= conversion_windows.converted_at
        or touchpoints.occurred_at < conversion_windows.window_opened_at
        or touchpoints.customer_id != conversion_windows.customer_id
)

select * from violations
