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
    line_send_log, twilio, sendgrid, meta, consent: one staged row per record_key, the staging model's
    unique key) are read only where staged after the latest _loaded_at this table holds for the
    feed, and replace that record's rows (delete+insert on source_name, record_key; a pre-hook
    first drops the rows of every record staged again, in case its new copy carries no
    identifier). Every other source (snapshot exports, and the link records, whose groups span
    several events) is rebuilt whole each run: the pre-hook deletes its rows.
-#}
{%- set occurrences = omnichannel.identity_occurrences() -%}

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
