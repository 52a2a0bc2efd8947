{#- A naive local timestamp in time zone tz (IANA name) to the naive UTC timestamp. -#}
{% macro local_to_utc(expr, tz='Asia/Taipei') -%}
    {{ return(adapter.dispatch('local_to_utc', 'omnichannel')(expr, tz)) }}
{%- endmacro %}

{% macro default__local_to_utc(expr, tz) -%}
    to_utc_timestamp({{ expr }}, '{{ tz }}')
{%- endmacro %}

{% macro duckdb__local_to_utc(expr, tz) -%}
    timezone('UTC', timezone('{{ tz }}', {{ expr }}))
{%- endmacro %}
