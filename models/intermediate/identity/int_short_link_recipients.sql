{#-
    Per-recipient short links: one row per Shlink short code that a message carried, with the
    identifier it was sent to. The LINE send log names the code (short_code) and the LINE user;
    Twilio's outbound Body carries the short URL and the To phone; SendGrid carries the code only
    in the url of a click event, beside the recipient's email. A code seen with more than one
    recipient identifier is not a per-recipient link and is left out. The web or app session that
    lands with `sl=<code>` (stg_ga4__events.short_code) was opened from this recipient's message.
-#}
with

line_sends as (
    select * from {{ ref('stg_line__sends') }}
),

twilio_messages as (
    select * from {{ ref('stg_twilio__messages') }}
),

sendgrid_events as (
    select * from {{ ref('stg_sendgrid__events') }}
),

line_recipients as (
    select
        short_code,
        'line' as channel,
        'line_user_id' as identifier_type,
        {{ omnichannel.hash_pii('line_user_id') }} as identifier_hash,
        sent_at
    from line_sends
    where short_code is not null and {{ omnichannel.nullif_blank('line_user_id') }} is not null
),

sms_recipients as (
    select
        short_code,
        'sms' as channel,
        'phone' as identifier_type,
        customer_phone_hash as identifier_hash,
        sent_at
    from twilio_messages
    where direction like 'outbound%' and short_code is not null
),

email_recipients as (
    select
        nullif(
            regexp_extract(clicked_url, '^https?://s[.]omni[.]tw/([0-9A-Za-z]+)', 1), ''
        ) as short_code,
        'email' as channel,
        'email' as identifier_type,
        email_hash as identifier_hash,
        occurred_at as sent_at
    from sendgrid_events
    where event_type = 'click'
),

unioned as (
    select * from line_recipients
    union all
    select * from sms_recipients
    union all
    select * from email_recipients
),

per_code as (
    select
        short_code,
        min(channel) as channel,
        min(identifier_type) as identifier_type,
        min(identifier_hash) as identifier_hash,
        count(distinct {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }})
            as recipient_count,
        min(sent_at) as sent_at
    from unioned
    where short_code is not null and identifier_hash is not null
    group by short_code
),

final as (
    select
        short_code,
        channel,
        identifier_type,
        identifier_hash,
        {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }} as identifier_key,
        sent_at
    from per_code
    where recipient_count = 1
)

select * from final
