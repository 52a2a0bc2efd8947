{#-
    The event feeds the identity models read incrementally on DuckDB (int_identifiers_unioned,
    int_identifier_pairs): source_name -> (staging model, its unique key). Their records are one
    staged row each and are re-derived only when staged again; every other source is rebuilt
    whole on each run.
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
    }) -%}
{%- endmacro %}
