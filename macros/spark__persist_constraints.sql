{#-
    Spark twin of dbt-spark's persist_constraints. dbt-spark treats a model without file_format as
    Delta and runs `alter table ... set not null`, which plain Parquet tables (the local session's
    default) reject. Constraints are applied only where the table format can hold them (Delta,
    e.g. on Databricks); elsewhere the contract still checks names and types, and the not_null
    data tests beside each constrained column check the values.
-#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format') == 'delta' -%}
        {% do alter_table_add_constraints(relation, model.constraints) %}
        {% do alter_column_set_constraints(relation, model.columns) %}
    {%- endif -%}
{%- endmacro %}
