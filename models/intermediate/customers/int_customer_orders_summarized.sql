{%- set money = 'decimal(18, 2)' -%}
{#-
    One row per customer with at least one order: orders, revenue net of refunds, average order
    value, first and last order, and how many orders were online (shopify) and in store (pos).
-#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

final as (
    select
        customer_id,
        count(*) as order_count,
        sum(case when source = 'shopify' then 1 else 0 end) as online_order_count,
        sum(case when source = 'pos' then 1 else 0 end) as store_order_count,
        cast(sum(revenue) as {{ money }}) as revenue,
        cast(sum(revenue) / count(*) as {{ money }}) as average_order_value,
        min(converted_at) as first_order_at,
        max(converted_at) as last_order_at
    from conversions
    where customer_id is not null
    group by customer_id
)

select * from final
