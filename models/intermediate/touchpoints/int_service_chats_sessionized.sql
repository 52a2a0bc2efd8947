{#- the staging models this one derives from, with the timestamp that dates their rows -#}
{%- set new_data_sources = [
    ('stg_line__webhook_events', 'occurred_at'),
    ('stg_meta__messaging_events', 'occurred_at'),
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    unique_key=none if target.type == 'spark' else 'chat_started_date',
    partition_by=['chat_started_date'] if target.type == 'spark' else none,
    on_schema_change='fail',
    post_hook="{{ omnichannel.record_incremental_watermarks(" ~ new_data_sources ~ ") }}",
) }}
{%- set timeout_seconds = var('web_session_timeout_minutes') | int * 60 -%}
{#-
    One row per service conversation the customer started or continued: the customer's own
    messages (LINE messages, Messenger / Instagram messages and postbacks; never the page's
    echoes or read receipts) grouped per channel and user, a new conversation after
    var web_session_timeout_minutes without a customer message.
    Incremental like int_web_sessions_sessionized: the conversations started on the days of the
    window are rebuilt from the messages of the window and the day before it, and replace those
    days (delete+insert on chat_started_date; insert_overwrite of its partitions on Spark).
-#}
with

line_events as (
    select * from {{ ref('stg_line__webhook_events') }}
    {% if is_incremental() %}
        where
            occurred_at
            >= {{ omnichannel.incremental_window_start('chat_started_date', 1, new_data_sources) }}
    {% endif %}
),

meta_events as (
    select * from {{ ref('stg_meta__messaging_events') }}
    {% if is_incremental() %}
        where
            occurred_at
            >= {{ omnichannel.incremental_window_start('chat_started_date', 1, new_data_sources) }}
    {% endif %}
),

customer_messages as (
    select
        line_event_id as message_event_id,
        'line' as channel,
        'line_user_id' as identifier_type,
        line_user_id as channel_user_id,
        occurred_at
    from line_events
    where event_type in ('message', 'postback') and line_user_id is not null
    union all
    select
        messaging_event_id as message_event_id,
        channel,
        case when channel = 'instagram' then 'igsid' else 'psid' end as identifier_type,
        coalesce(psid, igsid) as channel_user_id,
        occurred_at
    from meta_events
    where
        not is_echo
        and item_type in ('message', 'postback')
        and coalesce(psid, igsid) is not null
),

gap_flagged as (
    select
        *,
        case
            when
                lag(occurred_at) over (
                    partition by channel, channel_user_id
                    order by occurred_at, message_event_id
                ) is null
                then 1
            when
                {{ dbt.datediff(
                    'lag(occurred_at) over (partition by channel, channel_user_id '
                    ~ 'order by occurred_at, message_event_id)',
                    'occurred_at', 'second'
                ) }} > {{ timeout_seconds }}
                then 1
            else 0
        end as is_conversation_start
    from customer_messages
),

numbered as (
    select
        *,
        sum(is_conversation_start) over (
            partition by channel, channel_user_id
            order by occurred_at, message_event_id
            rows between unbounded preceding and current row
        ) as conversation_number
    from gap_flagged
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'channel', "'|'", 'channel_user_id', "'|'",
            dbt.safe_cast('min(occurred_at)', api.Column.translate_type('string'))
        ])) }} as service_chat_id,
        channel,
        identifier_type,
        channel_user_id,
        count(*) as message_count,
        min(occurred_at) as chat_started_at,
        max(occurred_at) as chat_ended_at,
        cast(min(occurred_at) as date) as chat_started_date
    from numbered
    group by channel, identifier_type, channel_user_id, conversation_number
    {% if is_incremental() %}
        having min(occurred_at) >= {{ omnichannel.incremental_window_start('chat_started_date', sources=new_data_sources) }}
    {% endif %}
)

select * from final
