{#- Bitwise AND of two integers (DuckDB and Spark: a & b; default: bitand(a, b)). -#}
{% macro bitwise_and(left, right) -%}
    {{ return(adapter.dispatch('bitwise_and', 'omnichannel')(left, right)) }}
{%- endmacro %}

{% macro default__bitwise_and(left, right) -%}
    bitand({{ left }}, {{ right }})
{%- endmacro %}

{% macro duckdb__bitwise_and(left, right) -%}
    ({{ left }} & {{ right }})
{%- endmacro %}

{% macro spark__bitwise_and(left, right) -%}
    ({{ left }} & {{ right }})
{%- endmacro %}
