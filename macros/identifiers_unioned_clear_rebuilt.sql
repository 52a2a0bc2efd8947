{#-
    Part of int_identifier_pairs' pre-hook on an incremental run (macro
    identifier_pairs_prepare): delete the rows of every event feed's record staged since the
    latest _loaded_at the table holds for that feed (its new copy replaces them, or drops them
    if it yields no row). The snapshot sources' records are deleted there only where
    int_identifiers_unioned replaced them. Nothing on a full build.
-#}
{% macro identifiers_unioned_clear_rebuilt(event_feeds) -%}
    {%- if is_incremental() %}
        delete from {{ this }}
        where
            {%- for feed, (model_name, key_column) in event_feeds | dictsort %}
                {% if not loop.first %}or {% endif %}(
                    source_name = '{{ feed }}'
                    and record_key in (
                        select staged.{{ key_column }}
                        from {{ ref(model_name) }} as staged
                        where staged._loaded_at > {{ omnichannel.identifiers_unioned_watermark(feed) }}
                    )
                )
            {%- endfor %}
    {%- endif %}
{%- endmacro %}
