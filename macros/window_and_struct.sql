{#-
    The last non-null value of `expr` in a window frame: the SQL standard's IGNORE NULLS, which
    DuckDB (and the default) spell inside the call and Spark as last_value's second argument.
    Use it as the function part of `... over (...)`.
-#}
{% macro last_value_ignore_nulls(expr) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'omnichannel')(expr)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(expr) -%}
    last_value({{ expr }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expr) -%}
    last_value({{ expr }}, true)
{%- endmacro %}

{#-
    A struct of the named columns (`fields`: names of columns in scope, which become the field
    names): DuckDB's struct_pack, Spark's named_struct. With min_by / max_by it carries several
    columns of one row through an aggregate, nulls included (DuckDB's arg_min skips a null
    argument, a struct is never null).
-#}
{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of', 'omnichannel')(fields)) }}
{%- endmacro %}

{% macro default__struct_of(fields) -%}
    struct_pack({% for field in fields %}{{ field }} := {{ field }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct({% for field in fields %}'{{ field }}', {{ field }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
