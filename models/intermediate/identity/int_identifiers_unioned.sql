{%- set event_feeds = omnichannel.identity_event_feeds() -%}
{%- set incremental = target.type == 'duckdb' and var('identity_incremental') -%}
{{ config(
    materialized='incremental' if incremental else 'table',
    incremental_strategy='delete+insert',
    unique_key=['source_name', 'record_key'],
    on_schema_change='append_new_columns',
    pre_hook="{{ omnichannel.identifiers_unioned_clear_rebuilt(" ~ event_feeds ~ ") }}",
) }}
{#-
    Every occurrence of a customer identifier in a staged record: one row per source x record x
    identifier (seen_at the first time that record carried it). Identifiers are the salted hash of the normalised value (hash_pii), typed:
    email, phone, member_number, line_user_id, web_cookie, app_instance_id, psid, igsid.
    Identifiers in one record (same source_name and record_key) are edges of the identity graph.
    Not used: Shopify's shipping phone (often a gift recipient's) and billing name.
    Two kinds of record are joins of two exports on a key both carry (doc identity_link_rules):
    - short_link (record_key = short code): the recipient of a per-recipient short link
      (int_short_link_recipients) and the web cookie / app instance whose session landed with
      `sl=<code>`;
    - web_purchase (record_key = Shopify order Id): the order's email and phones and the web
      cookie / app instance of the GA4 purchase whose transaction_id is that Id.
    Incremental on DuckDB (var identity_incremental): the records of the event feeds (ga4, line,
    line_send_log, twilio, sendgrid, meta: one staged row per record_key, the staging model's
    unique key) are read only where staged after the latest _loaded_at this table holds for the
    feed, and replace that record's rows (delete+insert on source_name, record_key; a pre-hook
    first drops the rows of every record staged again, in case its new copy carries no
    identifier). Every other source (snapshot exports, and the link records, whose groups span
    several events) is rebuilt whole each run: the pre-hook deletes its rows.
-#}
{%- set occurrences = [
    ('hubspot', 'stg_hubspot__contacts', 'contact_id', 'created_at', [
        ('email', 'email_hash'), ('phone', 'phone_hash'), ('phone', 'mobile_phone_hash'),
        ('member_number', omnichannel.hash_pii('member_number')),
        ('line_user_id', omnichannel.hash_pii('line_user_id')),
    ]),
    ('shopify', 'stg_shopify__orders', 'order_id', 'ordered_at', [
        ('email', 'email_hash'), ('phone', 'phone_hash'), ('phone', 'billing_phone_hash'),
    ]),
    ('pos', 'stg_pos__transaction_lines', 'transaction_id', 'transacted_at', [
        ('member_number', omnichannel.hash_pii('member_number')), ('phone', 'phone_hash'),
    ]),
    ('ga4', 'stg_ga4__events', 'event_id', 'occurred_at', [
        ('web_cookie', "case when client_kind = 'web' then "
            ~ omnichannel.hash_pii('user_pseudo_id') ~ " end"),
        ('app_instance_id', "case when client_kind = 'app' then "
            ~ omnichannel.hash_pii('user_pseudo_id') ~ " end"),
        ('member_number', omnichannel.hash_pii('member_number')),
    ]),
    ('line', 'stg_line__webhook_events', 'line_event_id', 'occurred_at', [
        ('line_user_id', omnichannel.hash_pii('line_user_id')),
    ]),
    ('line_send_log', 'stg_line__sends', 'send_id', 'sent_at', [
        ('line_user_id', omnichannel.hash_pii('line_user_id')),
    ]),
    ('twilio', 'stg_twilio__messages', 'message_sid', 'sent_at', [
        ('phone', 'customer_phone_hash'),
    ]),
    ('sendgrid', 'stg_sendgrid__events', 'sendgrid_event_id', 'occurred_at', [
        ('email', 'email_hash'),
    ]),
    ('meta', 'stg_meta__messaging_events', 'messaging_event_id', 'occurred_at', [
        ('psid', omnichannel.hash_pii('psid')), ('igsid', omnichannel.hash_pii('igsid')),
    ]),
    ('inbox', 'stg_inbox__contacts', 'inbox_contact_id', 'created_at', [
        ('line_user_id', omnichannel.hash_pii('line_user_id')),
        ('psid', omnichannel.hash_pii('psid')), ('igsid', omnichannel.hash_pii('igsid')),
        ('email', 'email_hash'), ('phone', 'phone_hash'),
    ]),
    ('short_link', 'int_short_link_recipients', 'short_code', 'sent_at', [
        ('line_user_id', "case when identifier_type = 'line_user_id' then identifier_hash end"),
        ('phone', "case when identifier_type = 'phone' then identifier_hash end"),
        ('email', "case when identifier_type = 'email' then identifier_hash end"),
    ]),
    ('short_link', 'stg_ga4__events', 'short_code', 'occurred_at', [
        ('web_cookie', "case when client_kind = 'web' then "
            ~ omnichannel.hash_pii('user_pseudo_id') ~ " end"),
        ('app_instance_id', "case when client_kind = 'app' then "
            ~ omnichannel.hash_pii('user_pseudo_id') ~ " end"),
    ]),
    ('web_purchase', 'stg_shopify__orders', 'order_id', 'ordered_at', [
        ('email', 'email_hash'), ('phone', 'phone_hash'), ('phone', 'billing_phone_hash'),
    ]),
    ('web_purchase', 'stg_ga4__events', 'transaction_id', 'occurred_at', [
        ('web_cookie', "case when client_kind = 'web' then "
            ~ omnichannel.hash_pii('user_pseudo_id') ~ " end"),
        ('app_instance_id', "case when client_kind = 'app' then "
            ~ omnichannel.hash_pii('user_pseudo_id') ~ " end"),
    ]),
    ('consent', 'stg_consent__events', 'consent_event_id', 'occurred_at', [
        ('email', "case when subject_type = 'email' then subject_hash end"),
        ('phone', "case when subject_type = 'phone' then subject_hash end"),
        ('member_number', "case when subject_type = 'member_number' then subject_hash end"),
        ('line_user_id', "case when subject_type = 'line_user_id' then subject_hash end"),
    ]),
] -%}

with

{% for source_name, model_name, key_column, seen_column, identifiers in occurrences %}
    {%- set is_feed = event_feeds.get(source_name, ('', ''))[0] == model_name %}
    {{ source_name }}_{{ model_name }} as (
        {%- for identifier_type, hash_expression in identifiers %}
            select
                '{{ source_name }}' as source_name,
                {{ key_column }} as record_key,
                '{{ identifier_type }}' as identifier_type,
                {{ hash_expression }} as identifier_hash,
                {{ seen_column }} as seen_at,
                {%- if is_feed %}
                    _loaded_at
                {%- else %}
                    cast(null as {{ api.Column.translate_type('timestamp') }}) as _loaded_at
                {%- endif %}
            from {{ ref(model_name) }}
            {%- if is_feed and is_incremental() %}
                where _loaded_at > {{ omnichannel.identifiers_unioned_watermark(source_name) }}
            {%- endif %}
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    ),

{% endfor %}
unioned as (
    {%- for source_name, model_name, key_column, seen_column, identifiers in occurrences %}
        select * from {{ source_name }}_{{ model_name }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }} as identifier_key,
        source_name,
        record_key,
        identifier_type,
        identifier_hash,
        min(seen_at) as seen_at,
        max(_loaded_at) as _loaded_at
    from unioned
    where identifier_hash is not null and record_key is not null
    group by source_name, record_key, identifier_type, identifier_hash
)

select * from final
