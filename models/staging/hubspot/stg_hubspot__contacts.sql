{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='contact_id',
) }}
with

source as (
    select * from {{ source('hubspot', 'crm_contacts') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(record_id) as contact_id,
        {{ omnichannel.nullif_blank('member_number') }} as member_number,
        {{ omnichannel.nullif_blank('line_user_id') }} as line_user_id,

        -- personal data, hashed (names are dropped)
        {{ omnichannel.hash_pii(omnichannel.normalize_email('email')) }} as email_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_email('email')) }}
            as email_sha256,
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('phone_number')) }} as phone_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_phone('phone_number')) }}
            as phone_sha256,
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('mobile_phone_number')) }}
            as mobile_phone_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_phone('mobile_phone_number')) }}
            as mobile_phone_sha256,

        -- strings
        lower({{ omnichannel.nullif_blank('lifecycle_stage') }}) as lifecycle_stage,

        -- booleans
        {{ omnichannel.parse_boolean('email_opt_in') }} as is_email_opted_in,
        {{ omnichannel.parse_boolean('sms_opt_in') }} as is_sms_opted_in,
        {{ omnichannel.parse_boolean('line_opt_in') }} as is_line_opted_in,

        -- timestamps (the portal exports in UTC)
        {{ omnichannel.parse_timestamp('create_date', '%Y-%m-%d %H:%M') }} as created_at,
        {{ omnichannel.parse_timestamp('last_modified_date', '%Y-%m-%d %H:%M') }}
            as last_modified_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('record_id') }} is not null
),

latest_snapshot as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as snapshot_rank
    from renamed
)

select
    contact_id,
    member_number,
    line_user_id,
    email_hash,
    email_sha256,
    phone_hash,
    phone_sha256,
    mobile_phone_hash,
    mobile_phone_sha256,
    lifecycle_stage,
    is_email_opted_in,
    is_sms_opted_in,
    is_line_opted_in,
    created_at,
    last_modified_at,
    _source_file,
    _row_number,
    _loaded_at
from latest_snapshot
where snapshot_rank = 1
