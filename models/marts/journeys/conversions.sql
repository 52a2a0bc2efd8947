with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

final as (
    select
        conversion_id,
        source,
        source_order_id,
        customer_id,
        revenue,
        converted_at
    from conversions
)

select * from final
