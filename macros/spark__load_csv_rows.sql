{#- Spark seeds: dbt-spark's own load_csv_rows with Spark-readable column_types. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {{ return(dbt.spark__load_csv_rows(omnichannel.spark_seed_model(model), agate_table)) }}
{%- endmacro %}
