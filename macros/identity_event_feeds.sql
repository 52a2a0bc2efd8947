{#-
    The event feeds the identity models read incrementally on DuckDB (int_identifiers_unioned,
    int_identifier_pairs): source_name -> (staging model, its unique key). A feed's records are
    re-derived only when staged again; every other source (short_link, web_purchase: a record
    joins several staged rows) is derived again where its parts changed (the feeds' rows staged
    since, int_short_link_recipients' log: macros/identity_link_changes.sql) and diffed with
    the table.
    A source qualifies when its staging model (doc identity_incremental):
    - is an incremental table whose rows carry the delivery's _loaded_at (new_deliveries_only):
      a record staged again gets a newer _loaded_at than any it had, so the records staged
      after the latest _loaded_at the identity model holds for the feed are all it must read;
    - replaces a record's staged rows together (delete+insert on the record key, its
      unique_key): one row per key (tested `unique`), or POS, whose lines of one transaction
      all come from its latest file, so they share that file's _loaded_at;
    - loses a record only when it is erased (raw keeps every delivered copy, so a record
      missing from a later export stays staged): the erasure job deletes its staged row and
      its occurrences of the erased identifiers, and the records that were snapshot sources
      (identity_export_feeds) are also looked for on each run, their other
      occurrences deleted, as the snapshot diff did.
    HubSpot contacts, the inbox, Shopify orders and POS were snapshot sources until 2026-11:
    deriving them all again cost most of int_identifiers_unioned's daily run.
-#}
{% macro identity_event_feeds() -%}
    {%- do return({
        'ga4': ('stg_ga4__events', 'event_id'),
        'line': ('stg_line__webhook_events', 'line_event_id'),
        'line_send_log': ('stg_line__sends', 'send_id'),
        'twilio': ('stg_twilio__messages', 'message_sid'),
        'sendgrid': ('stg_sendgrid__events', 'sendgrid_event_id'),
        'meta': ('stg_meta__messaging_events', 'messaging_event_id'),
        'consent': ('stg_consent__events', 'consent_event_id'),
        'hubspot': ('stg_hubspot__contacts', 'contact_id'),
        'inbox': ('stg_inbox__contacts', 'inbox_contact_id'),
        'shopify': ('stg_shopify__orders', 'order_id'),
        'pos': ('stg_pos__transaction_lines', 'transaction_id'),
    }) -%}
{%- endmacro %}
