{#- Email as staging keys it: trimmed, lower-cased; NULL when empty or not shaped like a@b. -#}
{% macro normalize_email(expr) -%}
    case
        when lower(trim({{ expr }})) like '%_@_%' then lower(trim({{ expr }}))
    end
{%- endmacro %}
