{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='order_id',
) }}
{#-
    One row per order, from the first line-item row of the order's latest export (the row that
    carries the order-level columns). Times are '+0800'-offset text, converted to UTC.
-#}
with

source as (
    select * from {{ source('shopify', 'shop_orders') }}
    {{ omnichannel.new_deliveries_only() }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by trim(id)
            order by
                _loaded_at desc,
                _source_file desc,
                case when {{ omnichannel.nullif_blank('created_at') }} is null then 1 else 0 end,
                {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }}
        ) as order_row_rank
    from source
    where {{ omnichannel.nullif_blank('id') }} is not null
),

first_rows as (
    select * from ranked
    where order_row_rank = 1
),

renamed as (
    select
        -- ids
        trim(id) as order_id,
        trim(name) as order_name,

        -- personal data, hashed (billing name dropped; shipping phone may be a gift recipient)
        {{ omnichannel.hash_pii(omnichannel.normalize_email('email')) }} as email_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_email('email')) }} as email_sha256,
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('phone')) }} as phone_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_phone('phone')) }} as phone_sha256,
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('billing_phone')) }}
            as billing_phone_hash,
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('shipping_phone')) }}
            as shipping_phone_hash,

        -- strings
        lower({{ omnichannel.nullif_blank('financial_status') }}) as financial_status,
        lower({{ omnichannel.nullif_blank('fulfillment_status') }}) as fulfillment_status,
        upper({{ omnichannel.nullif_blank('currency') }}) as currency,
        {{ omnichannel.nullif_blank('discount_code') }} as discount_code,
        {{ omnichannel.nullif_blank('payment_method') }} as payment_method,
        lower({{ omnichannel.nullif_blank('source') }}) as order_source,
        {{ omnichannel.nullif_blank('tags') }} as tags,

        -- numerics
        {{ dbt.safe_cast('subtotal', 'decimal(18, 2)') }} as subtotal_amount,
        {{ dbt.safe_cast('shipping', 'decimal(18, 2)') }} as shipping_amount,
        {{ dbt.safe_cast('taxes', 'decimal(18, 2)') }} as tax_amount,
        {{ dbt.safe_cast('discount_amount', 'decimal(18, 2)') }} as discount_amount,
        {{ dbt.safe_cast('total', 'decimal(18, 2)') }} as total_amount,
        coalesce({{ dbt.safe_cast('refunded_amount', 'decimal(18, 2)') }}, 0) as refunded_amount,

        -- booleans
        {{ omnichannel.parse_boolean('accepts_marketing') }} as is_accepting_marketing,

        -- timestamps
        {{ omnichannel.parse_timestamp('created_at', '%Y-%m-%d %H:%M:%S %z') }} as ordered_at,
        {{ omnichannel.parse_timestamp('paid_at', '%Y-%m-%d %H:%M:%S %z') }} as paid_at,
        {{ omnichannel.parse_timestamp('cancelled_at', '%Y-%m-%d %H:%M:%S %z') }}
            as cancelled_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from first_rows
)

select * from renamed
