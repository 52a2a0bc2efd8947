{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='order_id',
) }}
{%- set string_type = api.Column.translate_type('string') -%}
{#-
    One row per order line item. An order is re-exported in every later export that covers it:
    only the rows of its latest export are kept, numbered by their position in that file.
    Order-level columns are on the first line row only (as Shopify writes them): see
    stg_shopify__orders for one row per order.
-#}
with

source as (
    select * from {{ source('shopify', 'shop_orders') }}
    {{ omnichannel.new_deliveries_only() }}
),

typed as (
    select
        trim(id) as order_id,
        trim(name) as order_name,
        {{ omnichannel.nullif_blank('lineitem_sku') }} as sku,
        {{ omnichannel.nullif_blank('lineitem_name') }} as item_name,
        {{ dbt.safe_cast('lineitem_quantity', api.Column.translate_type('integer')) }}
            as quantity,
        {{ dbt.safe_cast('lineitem_price', 'decimal(18, 2)') }} as unit_price,
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('id') }} is not null
),

export_ranked as (
    select
        *,
        dense_rank() over (
            partition by order_id
            order by _loaded_at desc, _source_file desc
        ) as export_rank
    from typed
),

latest_export as (
    select
        *,
        row_number() over (partition by order_id order by _row_number) as line_number
    from export_ranked
    where export_rank = 1
),

final as (
    select
        -- ids
        {{ dbt.concat(['order_id', "'-'", dbt.safe_cast('line_number', string_type)]) }}
            as order_line_id,
        order_id,
        order_name,
        sku,

        -- strings
        item_name,

        -- numerics
        line_number,
        quantity,
        unit_price,
        quantity * unit_price as line_amount,

        -- lineage
        _source_file,
        _row_number,
        _loaded_at
    from latest_export
)

select * from final
