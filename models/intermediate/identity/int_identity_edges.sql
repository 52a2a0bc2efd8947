{#-
    Edges of the identity graph: one row per pair of identifiers seen together in at least one
    record, excluded identifiers (int_identifiers_excluded) left out. identifier_key_a sorts
    before identifier_key_b.
-#}
with

occurrences as (
    select * from {{ ref('int_identifiers_unioned') }}
),

excluded as (
    select distinct identifier_key from {{ ref('int_identifiers_excluded') }}
),

kept_occurrences as (
    select occurrences.*
    from occurrences
    left join excluded
        on occurrences.identifier_key = excluded.identifier_key
    where excluded.identifier_key is null
),

pairs as (
    select
        occurrence_a.identifier_key as identifier_key_a,
        occurrence_b.identifier_key as identifier_key_b,
        occurrence_a.source_name,
        occurrence_a.record_key,
        occurrence_a.seen_at
    from kept_occurrences as occurrence_a
    inner join kept_occurrences as occurrence_b
        on
            occurrence_a.source_name = occurrence_b.source_name
            and occurrence_a.record_key = occurrence_b.record_key
            and occurrence_a.identifier_key < occurrence_b.identifier_key
),

pair_sources as (
    select distinct
        identifier_key_a,
        identifier_key_b,
        source_name
    from pairs
),

sources_listed as (
    select
        identifier_key_a,
        identifier_key_b,
        {{ dbt.listagg('source_name', "','", 'order by source_name') }} as sources
    from pair_sources
    group by identifier_key_a, identifier_key_b
),

pair_stats as (
    select
        identifier_key_a,
        identifier_key_b,
        count(*) as record_count,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from pairs
    group by identifier_key_a, identifier_key_b
),

final as (
    select
        {{ dbt.concat(['pair_stats.identifier_key_a', "'~'", 'pair_stats.identifier_key_b']) }}
            as edge_id,
        pair_stats.identifier_key_a,
        pair_stats.identifier_key_b,
        sources_listed.sources,
        pair_stats.record_count,
        pair_stats.first_seen_at,
        pair_stats.last_seen_at
    from pair_stats
    inner join sources_listed
        on
            pair_stats.identifier_key_a = sources_listed.identifier_key_a
            and pair_stats.identifier_key_b = sources_listed.identifier_key_b
)

select * from final
