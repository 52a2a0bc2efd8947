{#-
    SQL: the records (source_name, record_key) that `relation` (int_identifiers_unioned or
    int_identifier_pairs) holds for the event feed `feed` and its staging model no longer
    stages (deleted by an erasure; see identity_export_feeds), one row each.
-#}
{% macro identity_feed_deleted_records(feed, model_name, key_column, relation) -%}
    select distinct held.source_name, held.record_key
    from {{ relation }} as held
    where
        held.source_name = '{{ feed }}'
        and not exists (
            select 1
            from {{ ref(model_name) }} as staged
            where staged.{{ key_column }} = held.record_key
        )
{%- endmacro %}
