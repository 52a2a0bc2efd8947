{#- 'true'/'false' (also yes/no, 1/0, any case) to boolean; anything else NULL. -#}
{% macro parse_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 'yes', '1', 't', 'y') then true
        when lower(trim({{ expr }})) in ('false', 'no', '0', 'f', 'n') then false
    end
{%- endmacro %}
