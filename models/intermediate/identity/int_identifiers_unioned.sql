{%- set event_feeds = omnichannel.identity_event_feeds() -%}
{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ omnichannel.identifiers_unioned_prepare(" ~ event_feeds ~ ") }}",
    post_hook="{{ omnichannel.identifiers_unioned_finish() }}",
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
    Incremental on DuckDB (var identity_incremental; macros/identity_changes.sql, doc
    identity_incremental): a run replaces only the records (source_name, record_key) whose
    occurrences can have changed, and logs them in __changes for int_identifier_pairs and
    int_customer_identifier_sources:
    - the event feeds (macro identity_event_feeds: ga4, line, line_send_log, twilio, sendgrid,
      meta, consent, hubspot, inbox, shopify, pos: incremental staging tables that replace a
      record's rows together, with the delivery's _loaded_at): the records staged after the
      latest _loaded_at this table held for the feed at its last run (saved by the post-hook
      in __loaded: the pre-hook does not scan the table's column, 0.36 s at 1M customers).
      For the export feeds hubspot, inbox, shopify and pos (macro identity_export_feeds:
      rows of snapshot exports, which may re-export records unchanged) the pre-hook derives those records into a temp table and
      diffs them with what this table holds for them (as below): only the changed ones are
      replaced, the others take the new _loaded_at; and it drops the export records this table
      holds and staging no longer does (an erasure deleted them);
    - the link records short_link and web_purchase, whose groups span several staged rows
      (snapshot sources): the pre-hook lists those whose parts can have changed since the last
      run (macros/identity_link_changes.sql: the codes int_short_link_recipients logged, the
      codes and transaction ids of the GA4 events staged after the watermark and, from the
      state __links, those GA4 events staged again or erased carried before, the Shopify orders
      staged after the watermark or erased), derives just those again, from all their parts,
      into a temp table and diffs that with what this table holds for them (the rows of EXCEPT
      both ways on source_name, record_key, identifier_type, identifier_hash, seen_at, found by
      a full outer join on the first four, unique on both sides); only the records whose
      occurrences changed or vanished are replaced, from that temp table. When it cannot
      follow those parts (no log or state, int_short_link_recipients rebuilt in full since) it
      derives and diffs every link record.
    The pre-hook deletes the affected records' rows (a record that now yields no row stays
    deleted); this SQL inserts their rows again (append: every row it selects belongs to an
    affected record, so a delete by unique key would find nothing left and cost a scan of the
    table, 1.5 s at 1M customers).
    Table on Spark, when identity_incremental is false, and on --full-refresh.
-#}
{%- set occurrences = omnichannel.identity_occurrences() -%}
{%- set export_feeds = omnichannel.identity_export_feeds() -%}
{#- on an incremental run the snapshot sources and the export feeds come from the pre-hook's
    temp tables -#}
{%- set entries = [] -%}
{%- for entry in occurrences -%}
    {%- if not is_incremental() or (event_feeds.get(entry[0], ('', ''))[0] == entry[1]
        and entry[0] not in export_feeds) -%}
        {%- do entries.append(entry) -%}
    {%- endif -%}
{%- endfor %}

with

derived as (
    {{ omnichannel.identity_occurrences_derived(entries, event_feeds, is_incremental()) }}
),

{% if is_incremental() %}

    rederived as (
        select * from {{ omnichannel.identity_changes_temp('snapshot_now') }}
        union all
        select * from {{ omnichannel.identity_changes_temp('export_now') }}
    ),

    rederived_replaced as (
        select
            rederived.identifier_key,
            rederived.source_name,
            rederived.record_key,
            rederived.identifier_type,
            rederived.identifier_hash,
            rederived.seen_at,
            rederived._loaded_at,
            rederived.record_hash,
            rederived.key_hash
        from rederived
        inner join {{ omnichannel.identity_changes_temp('affected') }} as affected
            on
                rederived.source_name = affected.source_name
                and rederived.record_key = affected.record_key
    ),

    final as (
        select * from derived
        union all
        select * from rederived_replaced
    )

{% else %}

    final as (
        select * from derived
    )

{% endif %}

select * from final
