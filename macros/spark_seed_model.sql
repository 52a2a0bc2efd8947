{#-
    Spark only: the seed node with its column_types passed through spark_type (seed ymls say
    `varchar`), for this project's spark__create_csv_table and spark__load_csv_rows.
-#}
{% macro spark_seed_model(model) -%}
    {%- set column_types = model['config'].get('column_types', {}) or {} -%}
    {%- set translated = {} -%}
    {%- for column_name, data_type in column_types.items() -%}
        {%- do translated.update({column_name: omnichannel.spark_type(data_type)}) -%}
    {%- endfor -%}
    {%- set config = {} -%}
    {%- do config.update(model['config']) -%}
    {%- do config.update({'column_types': translated}) -%}
    {%- set seed_model = {} -%}
    {%- do seed_model.update(model) -%}
    {%- do seed_model.update({'config': config}) -%}
    {{ return(seed_model) }}
{%- endmacro %}
