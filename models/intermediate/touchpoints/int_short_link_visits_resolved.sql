{#- the staging models this one derives from, with the timestamp that dates their rows -#}
{%- set new_data_sources = [
    ('stg_shlink__visits', 'visited_at'),
    ('stg_line__sends', 'sent_at'),
    ('stg_twilio__messages', 'sent_at'),
    ('stg_sendgrid__events', 'occurred_at'),
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    unique_key=none if target.type == 'spark' else 'visited_date',
    partition_by=['visited_date'] if target.type == 'spark' else none,
    on_schema_change='fail',
    post_hook="{{ omnichannel.record_incremental_watermarks(" ~ new_data_sources ~ ") }}",
) }}
{#-
    One row per human visit of a Shlink short link or store QR code, with the channel and
    campaign from the link's tags (channel:<name>, campaign:<id>, store:<id>) and, for
    per-recipient codes, the recipient's identifier from the send log that sent the code (LINE
    send log short_code, the Twilio body, the SendGrid click url). Link-preview fetches
    (potentialBot) are dropped.
    Incremental: a run re-resolves the visits of the days of the window
    (omnichannel.incremental_window_start: from the day before the earliest day of the visits
    and sends staged since this model's last build, never further back than var
    incremental_lookback_days) against every send that carried their codes, and replaces
    those days (delete+insert on visited_date; insert_overwrite of its partitions on Spark).
-#}
with

visits as (
    select * from {{ ref('stg_shlink__visits') }}
    {% if is_incremental() %}
        where visited_at >= {{ omnichannel.incremental_window_start('visited_date', sources=new_data_sources) }}
    {% endif %}
),

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
    select
        short_code,
        'line_user_id' as identifier_type,
        {{ omnichannel.hash_pii('line_user_id') }} as identifier_hash
    from line_sends
    where short_code is not null
    union all
    select
        short_code,
        'phone' as identifier_type,
        customer_phone_hash as identifier_hash
    from twilio_messages
    where short_code is not null and customer_phone_hash is not null
    union all
    select
        {{ dbt.split_part('clicked_url', "'s.omni.tw/'", 2) }} as short_code,
        'email' as identifier_type,
        email_hash as identifier_hash
    from sendgrid_events
    where clicked_url like '%s.omni.tw/%' and email_hash is not null
),

visited_codes as (
    select distinct short_code
    from visits
),

recipients_ranked as (
    select
        recipients.short_code,
        recipients.identifier_type,
        recipients.identifier_hash,
        row_number() over (
            partition by recipients.short_code
            order by recipients.identifier_type, recipients.identifier_hash
        ) as recipient_rank
    from recipients
    inner join visited_codes
        on recipients.short_code = visited_codes.short_code
),

visits_tagged as (
    select
        visit_id,
        short_code,
        is_qr_code,
        visited_at,
        nullif({{ dbt.split_part(dbt.split_part('tags_json', "'channel:'", 2), "'\"'", 1) }}, '')
            as tagged_channel,
        nullif({{ dbt.split_part(dbt.split_part('tags_json', "'campaign:'", 2), "'\"'", 1) }}, '')
            as tagged_campaign_id,
        nullif({{ dbt.split_part(dbt.split_part('tags_json', "'store:'", 2), "'\"'", 1) }}, '')
            as tagged_store_id
    from visits
    where not is_potential_bot
),

final as (
    select
        visits_tagged.visit_id,
        visits_tagged.short_code,
        case
            when visits_tagged.is_qr_code then 'store'
            else visits_tagged.tagged_channel
        end as channel,
        case
            when visits_tagged.is_qr_code then 'qr_scan'
            else 'clicked'
        end as touch_type,
        coalesce(visits_tagged.tagged_campaign_id, visits_tagged.tagged_store_id) as campaign_id,
        recipients_ranked.identifier_type,
        recipients_ranked.identifier_hash,
        visits_tagged.is_qr_code,
        visits_tagged.visited_at,
        cast(visits_tagged.visited_at as date) as visited_date
    from visits_tagged
    left join recipients_ranked
        on
            visits_tagged.short_code = recipients_ranked.short_code
            and recipients_ranked.recipient_rank = 1
)

select * from final
