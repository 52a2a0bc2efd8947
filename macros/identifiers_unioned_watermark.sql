{#-
    The latest _loaded_at of event feed `feed` that int_identifiers_unioned holds, as a scalar
    subquery (1900-01-01 when it holds none): an incremental run reads the feed's staged records
    loaded after it.
-#}
{% macro identifiers_unioned_watermark(feed) -%}
    (
        select coalesce(max(done._loaded_at), cast('1900-01-01' as {{ api.Column.translate_type('timestamp') }}))
        from {{ this }} as done
        where done.source_name = '{{ feed }}'
    )
{%- endmacro %}
