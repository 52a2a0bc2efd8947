{#-
    What int_identifiers_unioned reads: one entry per staged model a source's records come from,
    (source_name, model, record key column, seen_at column, [(identifier_type, hash expression)]).
    int_identifier_pairs reads it too: an event feed whose records carry one identifier column
    can make no pair.
-#}
{% macro identity_occurrences() -%}
    {%- do return([
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
    ]) -%}
{%- endmacro %}
