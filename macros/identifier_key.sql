{#- Graph node key of an identifier: '<identifier_type>:<identifier_hash>'. -#}
{% macro identifier_key(identifier_type, identifier_hash) -%}
    {{ dbt.concat([identifier_type, "':'", identifier_hash]) }}
{%- endmacro %}
