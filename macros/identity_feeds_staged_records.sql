{#-
    SQL selecting the distinct records (source_name, record_key) of the event feeds `feeds`
    (source_name -> (staging model, key column), items of identity_event_feeds) staged since
    the current model's watermark for the feed (the latest _loaded_at it holds for it: macro
    identifiers_unioned_watermark). int_identifiers_unioned replaces such records (the export
    feeds' after a diff), int_identifier_pairs deletes their pairs (their new copy replaces
    them, or drops them if it yields no row).
-#}
{% macro identity_feeds_staged_records(feeds) -%}
    {%- for feed, (model_name, key_column) in feeds | dictsort %}
        {% if not loop.first %}union all{% endif %}
        select distinct '{{ feed }}' as source_name, staged.{{ key_column }} as record_key
        from {{ ref(model_name) }} as staged
        where
            staged._loaded_at > {{ omnichannel.identifiers_unioned_watermark(feed) }}
            and staged.{{ key_column }} is not null
    {%- endfor %}
{%- endmacro %}
