{#- Spark seeds: dbt-spark's own create_csv_table with Spark-readable column_types. -#}
{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(omnichannel.spark_seed_model(model), agate_table)) }}
{%- endmacro %}
