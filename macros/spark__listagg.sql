{#-
    Spark twin of dbt.listagg that keeps the order. dbt-spark's own ignores order_by_clause (with
    a warning) and concatenates in whatever order collect_list meets the rows, so lists such as
    `sources` came out in another order than on DuckDB. Spark 4 has the standard
    `listagg(...) within group (order by ...)`; without an order (or with limit_num) dbt-spark's
    implementation is used.
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause and not limit_num -%}
        listagg({{ measure }}, {{ delimiter_text }}) within group ({{ order_by_clause }})
    {%- else -%}
        {{ return(dbt.spark__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
    {%- endif -%}
{%- endmacro %}
