{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='line_event_id',
) }}
{#-
    One row per LINE webhook event. A redelivered event repeats its webhookEventId (with
    deliveryContext.isRedelivery = true); events are deduplicated on webhookEventId together with
    type, timestamp, source and message id (some fixtures reuse one id for many events).
-#}
with

source as (
    select * from {{ source('line', 'line_events') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        {{ omnichannel.nullif_blank('webhook_event_id') }} as webhook_event_id,
        {{ omnichannel.nullif_blank('destination') }} as destination_id,
        {{ omnichannel.nullif_blank('source__user_id') }} as line_user_id,
        {{ omnichannel.nullif_blank('source__group_id') }} as line_group_id,
        {{ omnichannel.nullif_blank('source__room_id') }} as line_room_id,
        {{ omnichannel.nullif_blank('message__id') }} as message_id,

        -- strings
        trim(type) as event_type,
        {{ omnichannel.nullif_blank('mode') }} as channel_mode,
        {{ omnichannel.nullif_blank('source__type') }} as source_type,
        {{ omnichannel.nullif_blank('message__type') }} as message_type,
        {{ omnichannel.nullif_blank('postback__data') }} as postback_data,
        {{ omnichannel.nullif_blank('link__result') }} as account_link_result,
        {{ omnichannel.nullif_blank('beacon__type') }} as beacon_type,

        -- booleans
        coalesce({{ omnichannel.parse_boolean('delivery_context__is_redelivery') }}, false)
            as is_redelivery,

        -- timestamps
        {{ omnichannel.epoch_to_timestamp('timestamp', 'ms') }} as occurred_at,
        trim(timestamp) as timestamp_ms,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('type') }} is not null
),

keyed as (
    select
        *,
        {{ dbt.hash(dbt.concat([
            "coalesce(webhook_event_id, '')", "'|'", 'event_type', "'|'", 'timestamp_ms', "'|'",
            "coalesce(line_user_id, line_group_id, line_room_id, '')", "'|'",
            "coalesce(message_id, '')"
        ])) }} as line_event_id
    from renamed
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by line_event_id
            order by
                case when is_redelivery then 1 else 0 end,
                _loaded_at,
                _source_file,
                _row_number
        ) as delivery_rank
    from keyed
),

final as (
    select
        line_event_id,
        webhook_event_id,
        destination_id,
        line_user_id,
        line_group_id,
        line_room_id,
        message_id,
        event_type,
        event_type not in (
            'message', 'follow', 'unfollow', 'join', 'leave', 'memberJoined', 'memberLeft',
            'postback', 'beacon', 'accountLink', 'things', 'unsend', 'videoPlayComplete',
            'activated', 'deactivated', 'botSuspended', 'botResumed', 'module', 'delivery'
        ) as is_unknown_event_type,
        channel_mode,
        source_type,
        message_type,
        postback_data,
        account_link_result,
        beacon_type,
        is_redelivery,
        occurred_at,
        _source_file,
        _row_number,
        _loaded_at
    from deduplicated
    {% if is_incremental() %}
        -- a row staged by an earlier run wins unless it is a redelivery and this is not
        where
            delivery_rank = 1
            and not exists (
                select 1
                from {{ this }} as staged
                where
                    staged.line_event_id = deduplicated.line_event_id
                    and (not staged.is_redelivery or deduplicated.is_redelivery)
            )
    {% else %}
        where delivery_rank = 1
    {% endif %}
)

select * from final
