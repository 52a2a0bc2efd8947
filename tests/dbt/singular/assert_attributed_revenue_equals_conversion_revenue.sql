-- Per model, attributed revenue adds up to the revenue of the conversions (to the cent).
with

credits as (
    select * from {{ ref('attribution_credits') }}
),

conversions as (
    select * from {{ ref('conversions') }}
),

by_model as (
    select
        model,
        sum(attributed_revenue) as attributed_revenue
    from credits
    group by model
),

total as (
    select sum(revenue) as revenue from conversions
)

select
    by_model.model,
    by_model.attributed_revenue,
    total.revenue
from by_model
cross join total
where abs(by_model.attributed_revenue - total.revenue) > 0.01
