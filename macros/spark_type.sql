{#-
    Spark only: a data type name as Spark SQL reads it. The project's ymls (seed column_types,
    contract data_type) use DuckDB's `varchar`, which Spark rejects without a length; varchar,
    varchar(n) and text become `string`, every other type is returned unchanged.
-#}
{% macro spark_type(data_type) -%}
    {%- set lowered = (data_type | string | lower | trim) -%}
    {%- if lowered in ['varchar', 'text'] or lowered.startswith('varchar(') -%}
        {{ return('string') }}
    {%- else -%}
        {{ return(data_type) }}
    {%- endif -%}
{%- endmacro %}
