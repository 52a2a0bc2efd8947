{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='transaction_id',
) }}
{%- set string_type = api.Column.translate_type('string') -%}
{#-
    One row per POS line item. A transaction re-delivered in a later file keeps only the rows of
    its latest file. A RETURN reuses the transaction_no of its sale, so the key includes the
    transaction type. Local Asia/Taipei time is converted to UTC.
-#}
with

source as (
    select * from {{ source('pos', 'pos_transactions') }}
    {{ omnichannel.new_deliveries_only() }}
),

typed as (
    select
        trim(store_id) as store_id,
        trim(transaction_no) as transaction_no,
        upper(coalesce({{ omnichannel.nullif_blank('transaction_type') }}, 'SALE'))
            as transaction_type,
        {{ omnichannel.nullif_blank('member_no') }} as member_number,
        {{ omnichannel.nullif_blank('phone') }} as phone_raw,
        {{ omnichannel.nullif_blank('item_sku') }} as sku,
        {{ omnichannel.nullif_blank('store_name') }} as store_name,
        {{ omnichannel.nullif_blank('item_name') }} as item_name,
        lower({{ omnichannel.nullif_blank('payment_type') }}) as payment_type,
        {{ dbt.safe_cast('quantity', api.Column.translate_type('integer')) }} as quantity,
        {{ dbt.safe_cast('unit_price', 'decimal(18, 2)') }} as unit_price,
        {{ dbt.safe_cast('amount', 'decimal(18, 2)') }} as amount,
        {{ omnichannel.local_to_utc(
            omnichannel.parse_timestamp('transaction_time', '%Y/%m/%d %H:%M:%S'),
            'Asia/Taipei'
        ) }} as transacted_at,
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('transaction_no') }} is not null
),

keyed as (
    select
        *,
        {{ dbt.concat(['store_id', "'-'", 'transaction_no', "'-'", 'transaction_type']) }}
            as transaction_id
    from typed
),

file_ranked as (
    select
        *,
        dense_rank() over (
            partition by transaction_id
            order by _loaded_at desc, _source_file desc
        ) as file_rank
    from keyed
),

latest_file as (
    select
        *,
        row_number() over (partition by transaction_id order by _row_number) as line_number
    from file_ranked
    where file_rank = 1
),

final as (
    select
        -- ids
        {{ dbt.concat(['transaction_id', "'-'", dbt.safe_cast('line_number', string_type)]) }}
            as transaction_line_id,
        transaction_id,
        store_id,
        transaction_no,
        member_number,
        sku,

        -- personal data, hashed
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('phone_raw')) }} as phone_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_phone('phone_raw')) }}
            as phone_sha256,

        -- strings
        transaction_type,
        store_name,
        item_name,
        payment_type,

        -- numerics
        line_number,
        quantity,
        unit_price,
        amount,

        -- timestamps
        transacted_at,

        -- lineage
        _source_file,
        _row_number,
        _loaded_at
    from latest_file
)

select * from final
