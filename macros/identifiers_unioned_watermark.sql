{#-
    The latest _loaded_at of event feed `feed` that the model's table (int_identifiers_unioned,
    int_identifier_pairs) holds, as a scalar subquery (1900-01-01 when it holds none, or when the
    table predates the _loaded_at column: that run then reads every feed's records again, and
    on_schema_change adds the column): an incremental run reads the feed's records staged after
    it.
-#}
{% macro identifiers_unioned_watermark(feed) -%}
    {%- set timestamp_type = api.Column.translate_type('timestamp') -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if '_loaded_at' in columns -%}
        (
            select coalesce(max(done._loaded_at), cast('1900-01-01' as {{ timestamp_type }}))
            from {{ this }} as done
            where done.source_name = '{{ feed }}'
        )
    {%- else -%}
        cast('1900-01-01' as {{ timestamp_type }})
    {%- endif -%}
{%- endmacro %}
