{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ omnichannel.identity_edges_prepare() }}",
    post_hook="{{ omnichannel.identity_changes_finish(logged_as='edges') }}",
) }}
{#-
    Edges of the identity graph: one row per pair of identifiers seen together in at least one
    record, excluded identifiers (int_identifiers_excluded) left out. identifier_key_a sorts
    before identifier_key_b. Reads the pairs of each record from int_identifier_pairs (built
    incrementally there) rather than self-joining every occurrence again.
    Incremental on DuckDB (var identity_incremental; macros/identity_tail_changes.sql): only the
    edges with an end among the identifier keys int_identifiers_unioned logged since the last
    run for records that make pairs, or int_identifiers_excluded logged as flipped, are derived
    again (from every pair of theirs), their old rows deleted by the pre-hook; a log it cannot
    follow, --full-refresh, the var off and Spark rebuild it in full.
-#}
{#- the pre-hook reads int_identifiers_unioned's change log -#}
-- depends_on: {{ ref('int_identifiers_unioned') }}
with

record_pairs as (
    select * from {{ ref('int_identifier_pairs') }}
    {% if is_incremental() %}
        where
            {{ omnichannel.identity_tail_affects('identifier_key_a') }}
            or {{ omnichannel.identity_tail_affects('identifier_key_b') }}
    {% endif %}
),

excluded as (
    select distinct identifier_key from {{ ref('int_identifiers_excluded') }}
),

pairs as (
    select
        record_pairs.identifier_key_a,
        record_pairs.identifier_key_b,
        record_pairs.source_name,
        record_pairs.record_key,
        record_pairs.seen_at
    from record_pairs
    left join excluded as excluded_a
        on record_pairs.identifier_key_a = excluded_a.identifier_key
    left join excluded as excluded_b
        on record_pairs.identifier_key_b = excluded_b.identifier_key
    where excluded_a.identifier_key is null and excluded_b.identifier_key is null
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
