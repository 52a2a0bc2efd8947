{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='message_sid',
) }}
{#-
    One row per Twilio message (Sid), latest export wins. The customer side is To on outbound
    messages and From on inbound ones; its phone is normalised and hashed, the brand side kept.
-#}
with

source as (
    select * from {{ source('twilio', 'sms_messages') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(sid) as message_sid,
        {{ omnichannel.nullif_blank('account_sid') }} as account_sid,

        -- strings
        lower(trim(direction)) as direction,
        lower(trim(status)) as message_status,
        {{ omnichannel.nullif_blank('error_code') }} as error_code,
        {{ omnichannel.nullif_blank('api_version') }} as api_version,
        upper({{ omnichannel.nullif_blank('price_unit') }}) as price_currency,
        case
            when lower(trim(direction)) = 'inbound' then {{ adapter.quote('from') }}
            else {{ adapter.quote('to') }}
        end as customer_phone_raw,
        case
            when lower(trim(direction)) = 'inbound' then {{ adapter.quote('to') }}
            else {{ adapter.quote('from') }}
        end as brand_phone,
        {{ omnichannel.regexp_replace_all(
            omnichannel.regexp_replace_all('body', '^.*https?://s[.]omni[.]tw/', ''),
            '[^A-Za-z0-9_-].*$', ''
        ) }} as short_code_candidate,
        body like '%s.omni.tw/%' as has_short_link,

        -- numerics
        {{ dbt.safe_cast('num_segments', api.Column.translate_type('integer')) }} as num_segments,
        -{{ dbt.safe_cast('price', 'decimal(18, 4)') }} as cost_amount,

        -- timestamps
        {{ omnichannel.parse_timestamp('sent_date') }} as sent_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('sid') }} is not null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by message_sid
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from renamed
)

select
    -- ids
    message_sid,
    account_sid,
    case when has_short_link then short_code_candidate end as short_code,

    -- personal data, hashed
    {{ omnichannel.hash_pii(omnichannel.normalize_phone('customer_phone_raw')) }}
        as customer_phone_hash,
    {{ omnichannel.sha256_unsalted(omnichannel.normalize_phone('customer_phone_raw')) }}
        as customer_phone_sha256,

    -- strings
    brand_phone,
    direction,
    message_status,
    error_code,
    api_version,
    price_currency,

    -- numerics
    num_segments,
    cost_amount,

    -- booleans
    message_status in ('delivered', 'read', 'received') as is_delivered,

    -- timestamps
    sent_at,

    -- lineage
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
where delivery_rank = 1
