{#-
    Every order of a known customer lands in customer_360: its revenue and order count equal
    those of the conversions mart's orders with a customer_id. Returns a row when they differ.
-#}
with

customer_totals as (
    select
        sum(revenue) as revenue,
        sum(order_count) as order_count
    from {{ ref('customer_360') }}
),

conversion_totals as (
    select
        sum(revenue) as revenue,
        count(*) as order_count
    from {{ ref('conversions') }}
    where customer_id is not null
)

select
    customer_totals.revenue as customer_360_revenue,
    conversion_totals.revenue as conversions_revenue,
    customer_totals.order_count as customer_360_orders,
    conversion_totals.order_count as conversion_orders
from customer_totals
cross join conversion_totals
where
    abs(coalesce(customer_totals.revenue, 0) - coalesce(conversion_totals.revenue, 0)) > 0.01
    or coalesce(customer_totals.order_count, 0) != coalesce(conversion_totals.order_count, 0)
