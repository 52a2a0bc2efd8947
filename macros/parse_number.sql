{#- Number from report text ("1,234", "NT$ 56.7"): keep digits, dot and minus, then safe-cast. -#}
{% macro parse_number(expr, data_type='decimal(18, 2)') -%}
    {{ dbt.safe_cast(omnichannel.regexp_replace_all(expr, '[^0-9.-]', ''), data_type) }}
{%- endmacro %}
