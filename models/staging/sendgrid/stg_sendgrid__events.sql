{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='sendgrid_event_id',
) }}
{#- One row per SendGrid event, deduplicated on sg_event_id (webhook retries repeat it). -#}
with

source as (
    select * from {{ source('sendgrid', 'email_events') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(sg_event_id) as sendgrid_event_id,
        {{ omnichannel.nullif_blank('sg_message_id') }} as sendgrid_message_id,
        {{ omnichannel.nullif_blank('smtp_id') }} as smtp_id,
        {{ omnichannel.nullif_blank('campaign_id') }} as campaign_id,

        -- personal data, hashed
        {{ omnichannel.hash_pii(omnichannel.normalize_email('email')) }} as email_hash,
        {{ omnichannel.sha256_unsalted(omnichannel.normalize_email('email')) }} as email_sha256,

        -- strings
        lower(trim(event)) as event_type,
        {{ omnichannel.nullif_blank('category') }} as category,
        {{ omnichannel.nullif_blank('url') }} as clicked_url,
        {{ omnichannel.nullif_blank('useragent') }} as user_agent,
        {{ omnichannel.nullif_blank('reason') }} as reason,
        {{ omnichannel.nullif_blank('status') }} as smtp_status,
        {{ omnichannel.nullif_blank('type') }} as bounce_type,
        {{ omnichannel.nullif_blank('content_tags') }} as content_tags,

        -- timestamps
        {{ omnichannel.epoch_to_timestamp('timestamp', 's') }} as occurred_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('sg_event_id') }} is not null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by sendgrid_event_id
            order by _loaded_at, _source_file, _row_number
        ) as delivery_rank
    from renamed
)

select
    sendgrid_event_id,
    sendgrid_message_id,
    smtp_id,
    campaign_id,
    email_hash,
    email_sha256,
    event_type,
    category,
    clicked_url,
    user_agent,
    reason,
    smtp_status,
    bounce_type,
    content_tags,
    occurred_at,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
{{ first_delivery_only('sendgrid_event_id') }}
