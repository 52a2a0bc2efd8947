{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    Value of omnichannel against single-channel customers, one row per customer_type:
    omnichannel (engaged or bought in more than one channel), single_channel (exactly one) and
    not_engaged (never acted). Revenue and orders per customer are over all customers of the
    type, average order value over their orders.
-#}
with

identifiers as (
    select * from {{ ref('int_customer_identifiers_counted') }}
),

activities as (
    select * from {{ ref('int_customer_activities_summarized') }}
),

orders as (
    select * from {{ ref('int_customer_orders_summarized') }}
),

typed as (
    select
        identifiers.customer_id,
        case
            when coalesce(activities.engaged_channel_count, 0) > 1 then 'omnichannel'
            when coalesce(activities.engaged_channel_count, 0) = 1 then 'single_channel'
            else 'not_engaged'
        end as customer_type,
        coalesce(orders.order_count, 0) as order_count,
        coalesce(orders.revenue, 0) as revenue
    from identifiers
    left join activities
        on identifiers.customer_id = activities.customer_id
    left join orders
        on identifiers.customer_id = orders.customer_id
),

final as (
    select
        customer_type,
        cast(count(*) as {{ count_type }}) as customer_count,
        cast(sum(case when order_count > 0 then 1 else 0 end) as {{ count_type }})
            as buyer_count,
        cast(sum(order_count) as {{ count_type }}) as order_count,
        cast(sum(revenue) as decimal(18, 2)) as revenue,
        cast(sum(revenue) / count(*) as decimal(18, 2)) as revenue_per_customer,
        cast(sum(order_count) as double) / count(*) as orders_per_customer,
        cast(sum(revenue) / nullif(sum(order_count), 0) as decimal(18, 2))
            as average_order_value,
        cast(sum(case when order_count > 0 then 1 else 0 end) as double) / count(*)
            as buyer_rate
    from typed
    group by customer_type
)

select * from final
