{#-
    Salted hash of a normalised personal value, for joins inside the warehouse:
    lower hex SHA-256 of (salt || '|' || value); NULL stays NULL. Python twin:
    hashlib.sha256(f"{salt}|{value}".encode()).hexdigest(). The salt is var pii_salt
    (env OMNI_PII_SALT).
-#}
{% macro hash_pii(expr) -%}
    {%- set salt = var('pii_salt') | string -%}
    {%- if salt | length == 0 -%}
        {{ exceptions.raise_compiler_error("hash_pii: var pii_salt (OMNI_PII_SALT) is empty") }}
    {%- endif -%}
    case
        when {{ expr }} is not null
            then {{ omnichannel.sha256_hex(
                "concat('" ~ (salt | replace("'", "''")) ~ "|', " ~ expr ~ ")"
            ) }}
    end
{%- endmacro %}
