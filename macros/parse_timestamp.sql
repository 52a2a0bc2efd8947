{#-
    Parse text to a naive UTC timestamp; NULL when it does not parse.
    fmt is a strptime format ('%Y/%m/%d %H:%M:%S'); a trailing %z reads the offset and converts
    to UTC. fmt none reads ISO-8601 ('2026-05-01T10:00:00+08:00', '...Z', or naive = UTC).
    Spark reads the same with its datetime patterns (translated here) and a UTC session zone.
-#}
{% macro parse_timestamp(expr, fmt=none) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'omnichannel')(expr, fmt)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expr, fmt) -%}
    {%- if fmt is none -%}
        {{ dbt.safe_cast(expr, api.Column.translate_type('timestamp')) }}
    {%- else -%}
        {%- set spark_fmt = fmt | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd')
            | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss')
            | replace('%z', 'Z') -%}
        to_timestamp(trim({{ expr }}), '{{ spark_fmt }}')
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__parse_timestamp(expr, fmt) -%}
    {%- if fmt is none -%}
        timezone('UTC', try_cast(trim({{ expr }}) as timestamptz))
    {%- elif '%z' in fmt -%}
        timezone('UTC', try_strptime(trim({{ expr }}), '{{ fmt }}'))
    {%- else -%}
        try_strptime(trim({{ expr }}), '{{ fmt }}')
    {%- endif -%}
{%- endmacro %}
