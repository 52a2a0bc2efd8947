{#-
    Unsalted lower hex SHA-256 of a normalised value, the form ad platforms accept for customer
    audiences (Google Customer Match, Meta Custom Audiences). Only where activation needs it.
-#}
{% macro sha256_unsalted(expr) -%}
    case
        when {{ expr }} is not null then {{ omnichannel.sha256_hex(expr) }}
    end
{%- endmacro %}
