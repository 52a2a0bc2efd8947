{%- set money = 'decimal(18, 4)' -%}
{#-
    Every customer interaction from every channel, one row per touch, with the customer it
    belongs to. Message channels give sent / delivered / opened / clicked (and replies, follows);
    web and app give sessions (int_web_sessions_sessionized: an ad click when the session came
    from a gclid / fbclid); Shlink gives clicks of per-recipient links and store QR scans;
    inboxes give service chats; POS gives store visits. The customer comes from the touch's
    identifier (and a fallback identifier) through int_customers_stitched; touches of erased
    customers are dropped; a store QR scan has no customer. cost (TWD) is on sent touches of
    channels that charge per message; 0 elsewhere. session_order_id is the Shopify order placed in
    a web / app session. is_engaged marks touches the customer acted
    on (opens, clicks, replies, chats, sessions, scans, visits): journeys use these.
    Email clicks come from SendGrid; their Shlink visit is the same click and is not repeated.
-#}
with

line_sends as (
    select * from {{ ref('stg_line__sends') }}
),

line_events as (
    select * from {{ ref('stg_line__webhook_events') }}
),

twilio_messages as (
    select * from {{ ref('stg_twilio__messages') }}
),

sendgrid_events as (
    select * from {{ ref('stg_sendgrid__events') }}
),

pos_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

web_sessions as (
    select * from {{ ref('int_web_sessions_sessionized') }}
),

short_link_visits as (
    select * from {{ ref('int_short_link_visits_resolved') }}
),

service_chats as (
    select * from {{ ref('int_service_chats_sessionized') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
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

short_link_campaigns as (
    select distinct
        short_code,
        campaign_id
    from short_link_visits
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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
        short_link_campaigns.campaign_id,
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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
    left join short_link_campaigns
        on twilio_messages.short_code = short_link_campaigns.short_code
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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
        purchase_transaction_id as session_order_id
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
        cast(null as {{ api.Column.translate_type('string') }}) as session_order_id
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

resolved as (
    select
        unioned.*,
        coalesce(primary_customers.customer_id, fallback_customers.customer_id) as customer_id,
        coalesce(primary_customers.is_erased, fallback_customers.is_erased, false) as is_erased
    from unioned
    left join customers as primary_customers
        on
            {{ omnichannel.identifier_key('unioned.identifier_type', 'unioned.identifier_hash') }}
            = primary_customers.identifier_key
    left join customers as fallback_customers
        on
            {{ omnichannel.identifier_key(
                'unioned.fallback_identifier_type', 'unioned.fallback_identifier_hash'
            ) }} = fallback_customers.identifier_key
),

final as (
    select
        {{ dbt.hash('touch_key') }} as touchpoint_id,
        customer_id,
        source_name,
        channel,
        touch_type,
        campaign_id,
        cast(cost as {{ money }}) as cost,
        touch_type in (
            'opened', 'clicked', 'service_chat', 'web_session', 'app_session', 'ad_click',
            'qr_scan', 'store_visit'
        ) as is_engaged,
        session_order_id,
        occurred_at
    from resolved
    where
        not is_erased
        and occurred_at is not null
        and (customer_id is not null or touch_type = 'qr_scan')
)

select * from final
