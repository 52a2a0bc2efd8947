{#-
    Part of int_identifier_pairs' pre-hook on an incremental run (macro
    identifier_pairs_prepare): SQL selecting the records (source_name, record_key) of every
    event feed staged since the latest _loaded_at the table holds for that feed, whose pairs it
    deletes (their new copy replaces them, or drops them if it yields no row). The snapshot
    sources' records are deleted there only where int_identifiers_unioned replaced them.
-#}
{% macro identifiers_unioned_rebuilt_records(event_feeds) -%}
    {%- for feed, (model_name, key_column) in event_feeds | dictsort %}
        {% if not loop.first %}union all{% endif %}
        select '{{ feed }}' as source_name, staged.{{ key_column }} as record_key
        from {{ ref(model_name) }} as staged
        where
            staged._loaded_at > {{ omnichannel.identifiers_unioned_watermark(feed) }}
            and staged.{{ key_column }} is not null
    {%- endfor %}
{%- endmacro %}
