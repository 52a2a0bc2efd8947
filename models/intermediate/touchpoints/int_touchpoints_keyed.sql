{#- the staging models this one derives from, with the timestamp that dates their rows: those
    of its source_name groups (omnichannel.touchpoints_keyed_groups) -#}
{%- set new_data_sources = omnichannel.incremental_group_sources(
    omnichannel.touchpoints_keyed_groups()) -%}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'append',
    partition_by=['occurred_date'] if target.type == 'spark' else none,
    on_schema_change='fail',
    pre_hook=[
        "{{ omnichannel.touchpoints_keyed_prepare() }}",
        "{{ omnichannel.record_incremental_window('occurred_date', " ~ new_data_sources ~ ") }}",
        "{{ omnichannel.incremental_clear_group_windows('occurred_date', "
            ~ "omnichannel.touchpoints_keyed_groups(), 'source_name') }}",
    ],
    post_hook="{{ omnichannel.record_incremental_watermarks(" ~ new_data_sources ~ ") }}",
) }}
{%- set money = 'decimal(18, 4)' -%}
{#-
    Every interaction from every channel, one row per touch, keyed by the identifier that made it
    (and a fallback identifier), NOT by customer: this is the incremental, append-mostly layer
    of the touchpoint stream. Customer resolution (and the campaign of an SMS, known from the
    visits of its short link) happens downstream in int_touchpoints_unioned, a cheap join, so a
    merge of two customers or an erasure between runs never leaves a stale customer_id here.
    Message channels give sent / delivered / opened / clicked (and replies, follows); web and
    app give sessions (int_web_sessions_sessionized: an ad click when the session came from a
    gclid / fbclid); Shlink gives clicks of per-recipient links and store QR scans; inboxes give
    service chats; POS gives store visits. cost (TWD) is on sent touches of channels that charge
    per message; 0 elsewhere. session_order_id is the Shopify order placed in a web / app
    session. is_engaged marks touches the customer acted on (opens, clicks, replies, chats,
    sessions, scans, visits): journeys use these. Email clicks come from SendGrid; their Shlink
    visit is the same click and is not repeated.
    Incremental: a run re-derives every touch that occurred on the days of the window
    (omnichannel.incremental_window_start: from the day before the earliest day of the rows
    new_data_sources staged since this model's last build, never further back than var
    incremental_lookback_days before the latest day built) and replaces those
    days (insert_overwrite of its partitions on Spark), so late events inside the window and
    re-delivered ones (deduplicated in staging) come out exactly as a full refresh builds them.
    On DuckDB each source_name has its own window, from its own sources' new rows
    (omnichannel.incremental_window_starts, groups omnichannel.touchpoints_keyed_groups): a few
    late SendGrid events do not re-derive a day of every other channel; a pre-hook deletes each
    source's window rows and the model appends. The first pre-hook logs the window of all the
    sources together (the earliest) in <model>__windows (omnichannel.record_incremental_window)
    for int_touchpoints_unioned.
-#}
{#- the window of each source_name (two queries for all of them) -#}
{%- set windows = omnichannel.incremental_window_starts(
    'occurred_date', omnichannel.touchpoints_keyed_groups()
) if is_incremental() else none -%}
with

line_sends as (
    select * from {{ ref('stg_line__sends') }}
    {% if is_incremental() %}
        where sent_at >= {{ windows['line_send_log'] }}
    {% endif %}
),

line_events as (
    select * from {{ ref('stg_line__webhook_events') }}
    {% if is_incremental() %}
        where occurred_at >= {{ windows['line_events'] }}
    {% endif %}
),

twilio_messages as (
    select * from {{ ref('stg_twilio__messages') }}
    {% if is_incremental() %}
        where sent_at >= {{ windows['twilio'] }}
    {% endif %}
),

sendgrid_events as (
    select * from {{ ref('stg_sendgrid__events') }}
    {% if is_incremental() %}
        where occurred_at >= {{ windows['sendgrid'] }}
    {% endif %}
),

pos_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
    {% if is_incremental() %}
        where transacted_at >= {{ windows['pos'] }}
    {% endif %}
),

web_sessions as (
    select * from {{ ref('int_web_sessions_sessionized') }}
    {% if is_incremental() %}
        where session_started_at >= {{ windows['ga4'] }}
    {% endif %}
),

short_link_visits as (
    select * from {{ ref('int_short_link_visits_resolved') }}
    {% if is_incremental() %}
        where visited_at >= {{ windows['shlink'] }}
    {% endif %}
),

service_chats as (
    select * from {{ ref('int_service_chats_sessionized') }}
    {% if is_incremental() %}
        where chat_started_at >= {{ windows['inbox'] }}
    {% endif %}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

message_unit_costs as (
    select * from {{ ref('message_unit_costs') }}
),

line_touch_types as (
    select 'sent' as touch_type
    union all
    select 'delivered' as touch_type
),

twilio_touch_types as (
    select 'sent' as touch_type
    union all
    select 'delivered' as touch_type
    union all
    select 'replied' as touch_type
),

line_touches as (
    select
        {{ dbt.concat(["'line_send|'", 'line_sends.send_id', "'|'", 'touch_types.touch_type']) }}
            as touch_key,
        'line_send_log' as source_name,
        'line' as channel,
        touch_types.touch_type,
        line_sends.campaign_id,
        'line_user_id' as identifier_type,
        {{ omnichannel.hash_pii('line_sends.line_user_id') }} as identifier_hash,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_type,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_hash,
        case
            when touch_types.touch_type = 'sent'
                then coalesce(line_sends.unit_cost, 0) * coalesce(currency_rates.rate_to_twd, 1)
            else 0
        end as cost,
        line_sends.sent_at as occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from line_sends
    inner join line_touch_types as touch_types
        on line_sends.is_delivered or touch_types.touch_type = 'sent'
    left join currency_rates
        on line_sends.currency = currency_rates.currency
),

line_follows as (
    select
        {{ dbt.concat(["'line_event|'", 'line_event_id']) }} as touch_key,
        'line_events' as source_name,
        'line' as channel,
        case when event_type = 'follow' then 'followed' else 'unfollowed' end as touch_type,
        cast(null as {{ api.Column.translate_type('string') }}) as campaign_id,
        'line_user_id' as identifier_type,
        {{ omnichannel.hash_pii('line_user_id') }} as identifier_hash,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_type,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_hash,
        0 as cost,
        occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from line_events
    where event_type in ('follow', 'unfollow') and line_user_id is not null
),

twilio_touches as (
    select
        {{ dbt.concat(["'twilio|'", 'twilio_messages.message_sid', "'|'",
            'touch_types.touch_type']) }} as touch_key,
        'twilio' as source_name,
        'sms' as channel,
        touch_types.touch_type,
        cast(null as {{ api.Column.translate_type('string') }}) as campaign_id,
        'phone' as identifier_type,
        twilio_messages.customer_phone_hash as identifier_hash,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_type,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_hash,
        case
            when touch_types.touch_type = 'sent'
                then
                    coalesce(twilio_messages.cost_amount, 0)
                    * coalesce(currency_rates.rate_to_twd, 1)
            else 0
        end as cost,
        twilio_messages.sent_at as occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        twilio_messages.short_code
    from twilio_messages
    inner join twilio_touch_types as touch_types
        on
            (twilio_messages.direction = 'inbound' and touch_types.touch_type = 'replied')
            or (
                twilio_messages.direction != 'inbound'
                and (
                    touch_types.touch_type = 'sent'
                    or (touch_types.touch_type = 'delivered' and twilio_messages.is_delivered)
                )
            )
    left join currency_rates
        on twilio_messages.price_currency = currency_rates.currency
),

sendgrid_touches as (
    select
        {{ dbt.concat(["'sendgrid|'", 'sendgrid_events.sendgrid_event_id']) }} as touch_key,
        'sendgrid' as source_name,
        'email' as channel,
        case sendgrid_events.event_type
            when 'processed' then 'sent'
            when 'delivered' then 'delivered'
            when 'open' then 'opened'
            when 'click' then 'clicked'
            when 'unsubscribe' then 'unsubscribed'
        end as touch_type,
        sendgrid_events.campaign_id,
        'email' as identifier_type,
        sendgrid_events.email_hash as identifier_hash,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_type,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_hash,
        case
            when sendgrid_events.event_type = 'processed'
                then
                    coalesce(message_unit_costs.unit_cost, 0)
                    * coalesce(currency_rates.rate_to_twd, 1)
            else 0
        end as cost,
        sendgrid_events.occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from sendgrid_events
    left join message_unit_costs
        on message_unit_costs.channel = 'email'
    left join currency_rates
        on message_unit_costs.currency = currency_rates.currency
    where
        sendgrid_events.event_type in ('processed', 'delivered', 'open', 'click', 'unsubscribe')
),

short_link_touches as (
    select
        {{ dbt.concat(["'shlink|'", 'visit_id']) }} as touch_key,
        'shlink' as source_name,
        channel,
        touch_type,
        campaign_id,
        identifier_type,
        identifier_hash,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_type,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_hash,
        0 as cost,
        visited_at as occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from short_link_visits
    where is_qr_code or channel != 'email'
),

chat_touches as (
    select
        {{ dbt.concat(["'chat|'", 'service_chat_id']) }} as touch_key,
        'inbox' as source_name,
        channel,
        'service_chat' as touch_type,
        cast(null as {{ api.Column.translate_type('string') }}) as campaign_id,
        identifier_type,
        {{ omnichannel.hash_pii('channel_user_id') }} as identifier_hash,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_type,
        cast(null as {{ api.Column.translate_type('string') }}) as fallback_identifier_hash,
        0 as cost,
        chat_started_at as occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from service_chats
),

web_touches as (
    select
        {{ dbt.concat(["'ga4|'", 'web_session_id']) }} as touch_key,
        'ga4' as source_name,
        channel,
        touch_type,
        utm_campaign as campaign_id,
        case when client_kind = 'app' then 'app_instance_id' else 'web_cookie' end
            as identifier_type,
        {{ omnichannel.hash_pii('user_pseudo_id') }} as identifier_hash,
        'member_number' as fallback_identifier_type,
        {{ omnichannel.hash_pii('member_number') }} as fallback_identifier_hash,
        0 as cost,
        session_started_at as occurred_at,
        purchase_transaction_id as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from web_sessions
),

store_visits as (
    select
        transaction_id,
        max(store_id) as store_id,
        max(member_number) as member_number,
        max(phone_hash) as phone_hash,
        min(transacted_at) as transacted_at
    from pos_lines
    where transaction_type = 'SALE'
    group by transaction_id
),

store_touches as (
    select
        {{ dbt.concat(["'pos|'", 'transaction_id']) }} as touch_key,
        'pos' as source_name,
        'store' as channel,
        'store_visit' as touch_type,
        store_id as campaign_id,
        'member_number' as identifier_type,
        {{ omnichannel.hash_pii('member_number') }} as identifier_hash,
        'phone' as fallback_identifier_type,
        phone_hash as fallback_identifier_hash,
        0 as cost,
        transacted_at as occurred_at,
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id,
        cast(null as {{ api.Column.translate_type('string') }}) as short_code
    from store_visits
),

unioned as (
    select * from line_touches
    union all
    select * from line_follows
    union all
    select * from twilio_touches
    union all
    select * from sendgrid_touches
    union all
    select * from short_link_touches
    union all
    select * from chat_touches
    union all
    select * from web_touches
    union all
    select * from store_touches
),

keyed as (
    select
        {{ dbt.hash('touch_key') }} as touchpoint_id,
        source_name,
        channel,
        touch_type,
        campaign_id,
        identifier_type,
        identifier_hash,
        fallback_identifier_type,
        fallback_identifier_hash,
        {{ omnichannel.identifier_hash_prefix('identifier_hash') }} as identifier_hash_prefix,
        {{ omnichannel.identifier_hash_prefix('fallback_identifier_hash') }}
            as fallback_identifier_hash_prefix,
        short_code,
        session_order_id,
        cast(cost as {{ money }}) as cost,
        touch_type in (
            'opened', 'clicked', 'service_chat', 'web_session', 'app_session', 'ad_click',
            'qr_scan', 'store_visit'
        ) as is_engaged,
        occurred_at,
        cast(occurred_at as date) as occurred_date
    from unioned
    where occurred_at is not null
),

final as (
    select
        keyed.*,
        {{ omnichannel.touchpoints_keyed_row_hash() }} as row_hash
    from keyed
)

select * from final
