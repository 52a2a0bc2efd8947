{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='messaging_event_id',
) }}
{#-
    One row per Messenger / Instagram messaging item. The customer is the sender of the user's
    messages and the recipient of the page's echoes; PSID on Messenger (object page), IGSID on
    Instagram. Re-delivered items are deduplicated on a hash of their content.
-#}
with

source as (
    select * from {{ source('meta', 'social_messages') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        {{ omnichannel.nullif_blank('entry__id') }} as page_id,
        {{ omnichannel.nullif_blank('sender__id') }} as sender_id,
        {{ omnichannel.nullif_blank('recipient__id') }} as recipient_id,
        coalesce(
            {{ omnichannel.nullif_blank('message__mid') }},
            {{ omnichannel.nullif_blank('postback__mid') }}
        ) as message_mid,
        {{ omnichannel.nullif_blank('read__mid') }} as read_mid,

        -- strings
        lower(trim(object)) as platform_object,
        case
            when {{ omnichannel.nullif_blank('read__mid') }} is not null then 'read'
            when
                {{ omnichannel.nullif_blank('postback__mid') }} is not null
                or {{ omnichannel.nullif_blank('postback__payload') }} is not null then 'postback'
            when {{ omnichannel.nullif_blank('message__mid') }} is not null then 'message'
            else 'other'
        end as item_type,
        {{ omnichannel.nullif_blank('postback__payload') }} as postback_payload,
        {{ omnichannel.nullif_blank('postback__title') }} as postback_title,

        -- booleans
        coalesce({{ omnichannel.parse_boolean('message__is_echo') }}, false) as is_echo,

        -- timestamps
        {{ omnichannel.epoch_to_timestamp('timestamp', 'ms') }} as occurred_at,
        trim(timestamp) as timestamp_ms,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('timestamp') }} is not null
),

keyed as (
    select
        *,
        case when is_echo then recipient_id else sender_id end as customer_scoped_id,
        {{ dbt.hash(dbt.concat([
            'platform_object', "'|'", "coalesce(sender_id, '')", "'|'",
            "coalesce(recipient_id, '')", "'|'", 'timestamp_ms', "'|'", 'item_type', "'|'",
            "coalesce(message_mid, read_mid, postback_payload, '')"
        ])) }} as messaging_event_id
    from renamed
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by messaging_event_id
            order by _loaded_at, _source_file, _row_number
        ) as delivery_rank
    from keyed
)

select
    -- ids
    messaging_event_id,
    page_id,
    case when platform_object = 'page' then customer_scoped_id end as psid,
    case when platform_object = 'instagram' then customer_scoped_id end as igsid,
    message_mid,
    read_mid,

    -- strings
    case
        when platform_object = 'instagram' then 'instagram'
        else 'messenger'
    end as channel,
    platform_object,
    item_type,
    postback_payload,
    postback_title,

    -- booleans
    is_echo,

    -- timestamps
    occurred_at,

    -- lineage
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
{{ first_delivery_only('messaging_event_id') }}
