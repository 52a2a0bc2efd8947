{%- set edges_override = var('identity_edges_relation', none) -%}
{%- set follows_logs = omnichannel.identity_changes_enabled() and not edges_override -%}
{{ config(
    materialized='connected_components',
    max_rounds=var('identity_max_rounds'),
    hash_node_keys=var('identity_hash_node_keys', true),
    incremental=var('identity_incremental'),
    changed_nodes=(omnichannel.identity_changes_temp('affected') if follows_logs else none),
    pre_hook="{{ omnichannel.identity_graph_prepare() }}",
) }}
{#-
    Node -> component of the identity graph. This SQL only lists the graph (an edge per row,
    node_b NULL for an identifier without edges); the connected_components materialization
    (macros/connected_components.sql) runs the rounds. var identity_edges_relation, when set,
    names a relation with columns node_a, node_b to cluster instead (tests, benchmarks).
    var identity_hash_node_keys=false numbers nodes by joining on the keys themselves instead
    of their 64-bit hash (the path taken anyway on a hash collision; tests).
    On DuckDB with var identity_incremental (and no edges_relation) the listing follows change
    logs (macros/identity_graph_changes.sql): its pre-hook lists the identifier keys that
    int_identifiers_unioned, int_identifiers_excluded and int_identity_edges logged since the
    last run, and this SQL returns only the rows with an end among them (every row when the
    pre-hook could not follow the logs: the full marker), which the materialization compares
    with its saved graph around the same keys (config changed_nodes).
-#}

{% if edges_override %}

select
    node_a,
    node_b
from {{ edges_override }}

{% else %}

    with

    edges as (
        select * from {{ ref('int_identity_edges') }}
    ),

    occurrences as (
        select * from {{ ref('int_identifiers_unioned') }}
    ),

    excluded as (
        select distinct identifier_key from {{ ref('int_identifiers_excluded') }}
    ),

    listed_edges as (
        select
            identifier_key_a,
            identifier_key_b
        from edges
        {%- if follows_logs %}
            where
                {{ omnichannel.identity_tail_affects('identifier_key_a') }}
                or {{ omnichannel.identity_tail_affects('identifier_key_b') }}
        {%- endif %}
    ),

    {%- if follows_logs %}

        listed_keys as (
            {{ omnichannel.identity_affected_keys() }}
        ),

        -- the listed keys' occurrences found by key_hash (macro identity_occurrences_of_keys),
        -- or every occurrence with the full marker
        listed_occurrences as (
            select keyed.identifier_key
            from ({{ omnichannel.identity_occurrences_of_keys('listed_keys', []) }}) as keyed
            union all
            select occurrences.identifier_key
            from occurrences
            where exists (
                select 1
                from {{ omnichannel.identity_changes_temp('affected') }} as affected
                where affected.source_name is null
            )
        ),

    {%- else %}

        listed_occurrences as (
            select identifier_key
            from occurrences
        ),

    {%- endif %}

    lone_nodes as (
        select distinct listed_occurrences.identifier_key
        from listed_occurrences
        left join excluded
            on listed_occurrences.identifier_key = excluded.identifier_key
        where excluded.identifier_key is null
    ),

    graph as (
        select
            identifier_key_a as node_a,
            identifier_key_b as node_b
        from listed_edges
        union all
        select
            identifier_key as node_a,
            cast(null as {{ api.Column.translate_type('string') }}) as node_b
        from lone_nodes
    )

    select * from graph

{% endif %}
