{#-
    The event feeds (identity_event_feeds) whose records are rows of snapshot exports (HubSpot
    contacts, the inbox, POS, Shopify orders): a delivery may re-export many records unchanged
    (HubSpot's is every contact), and a record leaves staging when it is erased (the erasure
    job deletes its staged rows and the rows of the erased identifiers, not an occurrence of
    another identifier of the record, such as an excluded shop phone). On an incremental run
    int_identifiers_unioned's pre-hook derives their records staged after the watermark into a
    temp table and diffs them with what the table holds for those records: only the records
    whose occurrences changed are replaced and logged (a re-export of unchanged records would
    otherwise send every identifier of it down the identity tail), the others get the new
    _loaded_at; and it looks for the records the table holds and staging no longer does
    (identity_feed_deleted_records, an anti-join on the record keys), as int_identifier_pairs'
    pre-hook does for their pairs. These four were snapshot sources, derived again in full and
    diffed on every run, until 2026-11. The other feeds' records are events, staged again
    only when re-delivered; the anti-join would read their millions of keys on every run.
-#}
{% macro identity_export_feeds() -%}
    {%- do return(['hubspot', 'inbox', 'pos', 'shopify']) -%}
{%- endmacro %}
