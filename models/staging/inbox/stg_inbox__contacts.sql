{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='inbox_contact_id',
) }}
{#- One row per service-inbox contact (latest export wins). Agent-recorded email/phone hashed. -#}
with

source as (
    select * from {{ source('inbox', 'social_contacts') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(contact_id) as inbox_contact_id,
        trim(channel_user_id) as channel_user_id,

        -- personal data, hashed (name dropped)
        {{ omnichannel.hash_pii(omnichannel.normalize_email('email')) }} as email_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_email('email')) }} as email_sha256,
        {{ omnichannel.hash_pii(omnichannel.normalize_phone('phone')) }} as phone_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_phone('phone')) }} as phone_sha256,

        -- strings
        lower(trim(channel)) as channel,
        lower({{ omnichannel.nullif_blank('conversation_status') }}) as conversation_status,
        {{ omnichannel.nullif_blank('assignee') }} as assignee,

        -- timestamps
        {{ omnichannel.parse_timestamp('created_at') }} as created_at,
        {{ omnichannel.parse_timestamp('last_message_at') }} as last_message_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('contact_id') }} is not null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by inbox_contact_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from renamed
)

select
    inbox_contact_id,
    channel_user_id,
    case when channel = 'line' then channel_user_id end as line_user_id,
    case when channel = 'messenger' then channel_user_id end as psid,
    case when channel = 'instagram' then channel_user_id end as igsid,
    email_hash,
    email_sha256,
    phone_hash,
    phone_sha256,
    channel,
    conversation_status,
    assignee,
    created_at,
    last_message_at,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
where delivery_rank = 1
