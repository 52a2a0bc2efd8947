{#- Epoch number (text or integer) in unit 's', 'ms' or 'us' to a UTC timestamp. -#}
{% macro epoch_to_timestamp(expr, unit='ms') -%}
    {%- if unit not in ['s', 'ms', 'us'] -%}
        {{ exceptions.raise_compiler_error("epoch_to_timestamp: unit must be s, ms or us") }}
    {%- endif -%}
    {{ return(adapter.dispatch('epoch_to_timestamp', 'omnichannel')(expr, unit)) }}
{%- endmacro %}

{% macro default__epoch_to_timestamp(expr, unit) -%}
    {%- set fn = {'s': 'timestamp_seconds', 'ms': 'timestamp_millis', 'us': 'timestamp_micros'} -%}
    {{ fn[unit] }}({{ dbt.safe_cast(expr, api.Column.translate_type('bigint')) }})
{%- endmacro %}

{% macro duckdb__epoch_to_timestamp(expr, unit) -%}
    {%- set factor = {'s': ' * 1000000', 'ms': ' * 1000', 'us': ''} -%}
    make_timestamp({{ dbt.safe_cast(expr, api.Column.translate_type('bigint')) }}{{ factor[unit] }})
{%- endmacro %}
