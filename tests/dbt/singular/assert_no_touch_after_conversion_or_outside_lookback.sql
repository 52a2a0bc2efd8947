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
)

select
    credits.conversion_id,
    credits.touchpoint_id,
    credits.model,
    touchpoints.occurred_at,
    conversions.converted_at
from credits
inner join conversions
    on credits.conversion_id = conversions.conversion_id
inner join touchpoints
    on credits.touchpoint_id = touchpoints.touchpoint_id
where
    touchpoints.occurred_at >= conversions.converted_at
    or touchpoints.occurred_at
    < {{ dbt.dateadd('day', -(var('attribution_lookback_days') | int), 'conversions.converted_at') }}
    or touchpoints.customer_id != conversions.customer_id
