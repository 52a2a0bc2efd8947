{#-
    The first 60 bits (15 hex digits) of a salted identifier hash (hash_pii: lower-case hex
    SHA-256) as a bigint: an 8-byte stand-in for the identifier where a lookup may return a few
    rows too many, such as the touches a run derives again (an extra one comes out unchanged).
    Two different identifiers share it with probability 2^-60. Read from the hash itself, it is
    the same on every engine and version (DuckDB's hash() may change between releases). NULL
    for a NULL hash.
-#}
{% macro identifier_hash_prefix(identifier_hash) -%}
    {{ return(adapter.dispatch('identifier_hash_prefix', 'omnichannel')(identifier_hash)) }}
{%- endmacro %}

{% macro default__identifier_hash_prefix(identifier_hash) -%}
    cast(('0x' || left({{ identifier_hash }}, 15)) as bigint)
{%- endmacro %}

{% macro spark__identifier_hash_prefix(identifier_hash) -%}
    cast(conv(substr({{ identifier_hash }}, 1, 15), 16, 10) as bigint)
{%- endmacro %}
