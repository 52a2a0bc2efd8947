{#-
    Spark twin of dbt.cast: the type through spark_type first, so contracts declared with
    `data_type: varchar` (the empty-schema check casts null to each declared type) build on Spark.
-#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ omnichannel.spark_type(type) }})
{%- endmacro %}
