{%- set money = 'decimal(18, 2)' -%}
{#-
    One row per order, online (Shopify) or in store (POS), with its customer and revenue net of
    refunds (Shopify refunded_amount; POS RETURN rows, which repeat the sale's transaction_no).
    Voided / cancelled Shopify orders never converted and are left out. The customer comes from
    the order's email, then phone (Shopify) or member number, then phone (POS), through
    int_customers_stitched; erased customers keep their order (revenue reconciles) without a
    customer_id. converted_at is the order time (UTC).
-#}
with

shopify_orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

pos_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

shopify_conversions as (
    select
        'shopify' as source,
        order_id as source_order_id,
        'email' as identifier_type,
        email_hash as identifier_hash,
        'phone' as fallback_identifier_type,
        coalesce(phone_hash, billing_phone_hash) as fallback_identifier_hash,
        total_amount - coalesce(refunded_amount, 0) as revenue,
        ordered_at as converted_at
    from shopify_orders
    where
        cancelled_at is null
        and coalesce(financial_status, '') != 'voided'
        and ordered_at is not null
),

pos_transactions as (
    select
        store_id,
        transaction_no,
        max(case when transaction_type = 'SALE' then member_number end) as member_number,
        max(case when transaction_type = 'SALE' then phone_hash end) as phone_hash,
        sum(amount) as revenue,
        min(case when transaction_type = 'SALE' then transacted_at end) as converted_at
    from pos_lines
    group by store_id, transaction_no
),

pos_conversions as (
    select
        'pos' as source,
        transaction_no as source_order_id,
        'member_number' as identifier_type,
        {{ omnichannel.hash_pii('member_number') }} as identifier_hash,
        'phone' as fallback_identifier_type,
        phone_hash as fallback_identifier_hash,
        revenue,
        converted_at
    from pos_transactions
    where converted_at is not null
),

unioned as (
    select * from shopify_conversions
    union all
    select * from pos_conversions
),

resolved as (
    select
        unioned.*,
        coalesce(primary_customers.customer_id, fallback_customers.customer_id) as customer_id,
        coalesce(primary_customers.is_erased, fallback_customers.is_erased, false) as is_erased
    from unioned
    left join customers as primary_customers
        on
            {{ omnichannel.identifier_key('unioned.identifier_type', 'unioned.identifier_hash') }}
            = primary_customers.identifier_key
    left join customers as fallback_customers
        on
            {{ omnichannel.identifier_key(
                'unioned.fallback_identifier_type', 'unioned.fallback_identifier_hash'
            ) }} = fallback_customers.identifier_key
),

final as (
    select
        {{ dbt.concat(['source', "':'", 'source_order_id']) }} as conversion_id,
        source,
        source_order_id,
        case when not is_erased then customer_id end as customer_id,
        cast(revenue as {{ money }}) as revenue,
        converted_at
    from resolved
)

select * from final
