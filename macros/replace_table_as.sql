{#- Drop `relation` if it exists and create it as a (non-temporary) table from `sql`. -#}
{% macro replace_table_as(relation, sql) -%}
    {% do adapter.drop_relation(relation) %}
    {% call statement('replace_table_as_' ~ relation.identifier) -%}
        {{ create_table_as(False, relation, sql) }}
    {%- endcall %}
{%- endmacro %}
