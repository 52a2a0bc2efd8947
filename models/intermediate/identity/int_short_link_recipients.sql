{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    pre_hook="{{ omnichannel.short_link_recipients_prepare() }}",
    post_hook="{{ omnichannel.short_link_recipients_finish() }}",
) }}
{#-
    Per-recipient short links: one row per Shlink short code that a message carried, with the
    identifier it was sent to. The LINE send log names the code (short_code) and the LINE user;
    Twilio's outbound Body carries the short URL and the To phone; SendGrid carries the code only
    in the url of a click event, beside the recipient's email. A code seen with more than one
    recipient identifier is not a per-recipient link and is left out. The web or app session that
    lands with `sl=<code>` (stg_ga4__events.short_code) was opened from this recipient's message.
    Incremental on DuckDB (var identity_incremental; macros/short_link_changes.sql): the pre-hook
    keeps the recipients per (code, recipient) in __recipients, updated from the rows staged
    since the last run, and this SQL derives again from it only the codes those rows name and
    the codes it last saw with more than one recipient; a full build, the var off and Spark read
    every staged row.
-#}
{#- the pre-hook reads the staged sends -#}
-- depends_on: {{ ref('stg_line__sends') }}
-- depends_on: {{ ref('stg_twilio__messages') }}
-- depends_on: {{ ref('stg_sendgrid__events') }}
{%- set from_state = omnichannel.identity_changes_enabled() %}
with

{% if from_state -%}
    recipients as (
        select * from {{ omnichannel.touch_changes_state(this, 'recipients') }}
        {%- if is_incremental() %}
            where {{ omnichannel.short_link_recipients_affects('short_code') }}
        {%- endif %}
    ),
{%- else -%}
    line_sends as (
        select * from {{ ref('stg_line__sends') }}
    ),

    twilio_messages as (
        select * from {{ ref('stg_twilio__messages') }}
    ),

    sendgrid_events as (
        select * from {{ ref('stg_sendgrid__events') }}
    ),

    recipients as (
        {{ omnichannel.short_link_recipients_unioned(
            {'line': 'line_sends', 'twilio': 'twilio_messages', 'sendgrid': 'sendgrid_events'}) }}
    ),
{%- endif %}

per_code as (
    select
        short_code,
        min(channel) as channel,
        min(identifier_type) as identifier_type,
        min(identifier_hash) as identifier_hash,
        count(distinct {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }})
            as recipient_count,
        min(sent_at) as sent_at
    from recipients
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
