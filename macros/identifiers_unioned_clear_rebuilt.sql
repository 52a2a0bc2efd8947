{#-
    Pre-hook of int_identifiers_unioned and int_identifier_pairs on an incremental run: delete
    the rows the run writes again - every row of a source rebuilt whole (not an event feed), and
    every row of an event feed's record staged since the latest _loaded_at the table holds for
    that feed (its new copy replaces them, or drops them if it yields no row). Nothing on a full
    build.
-#}
{% macro identifiers_unioned_clear_rebuilt(event_feeds) -%}
    {%- if is_incremental() %}
        delete from {{ this }}
        where
            source_name not in ('{{ event_feeds.keys() | sort | join("', '") }}')
            {%- for feed, (model_name, key_column) in event_feeds | dictsort %}
                or (
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
