{#-
    A 64-bit hash of a record's (source_name, record_key): int_identifiers_unioned and
    int_identifier_pairs keep it in column record_hash so that a run finds the rows of the
    records it replaces by reading one 8-byte column, not the two strings (at 1M customers the
    column holds 0.37 GB, record_key alone 0.76 GB; a join on it took 1.07 s against 2.97 s,
    page cache dropped). It is a lookup key only: two records may share it, so every lookup
    checks the strings of the rows it finds (identity_rows_of_records). DuckDB's hash() (fast,
    but may change between releases: the tables' pre-hooks recompute the column when the
    function no longer gives the stored values, lookup_hashes_ensure), Spark's xxhash64.
-#}
{% macro record_hash(source_name, record_key) -%}
    {{ return(adapter.dispatch('record_hash', 'omnichannel')(source_name, record_key)) }}
{%- endmacro %}

{% macro default__record_hash(source_name, record_key) -%}
    hash({{ source_name }}, {{ record_key }})
{%- endmacro %}

{% macro spark__record_hash(source_name, record_key) -%}
    xxhash64({{ source_name }}, {{ record_key }})
{%- endmacro %}

{#-
    A 64-bit hash of an identifier_key: int_identifiers_unioned keeps it in column key_hash so
    that the models that aggregate the occurrences of a run's keys (int_identity_components'
    lone nodes, int_customer_id_assignments, int_customer_identifier_sources) read one 8-byte
    column of every row instead of the 70-character key, and take the key string from their
    own short list (macro identity_occurrences_of_keys). Two keys sharing a hash would take
    each other's occurrences there, which singular test assert_key_hashes_unique rules out for
    the data at hand (at 10M keys the chance that any two share a 64-bit hash is about 3e-6).
    DuckDB's hash() (lookup_hashes_ensure recomputes the column when the function changes),
    Spark's xxhash64.
-#}
{% macro key_hash(identifier_key) -%}
    {{ return(adapter.dispatch('key_hash', 'omnichannel')(identifier_key)) }}
{%- endmacro %}

{% macro default__key_hash(identifier_key) -%}
    hash({{ identifier_key }})
{%- endmacro %}

{% macro spark__key_hash(identifier_key) -%}
    xxhash64({{ identifier_key }})
{%- endmacro %}
