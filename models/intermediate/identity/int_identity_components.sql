{{ config(
    materialized='connected_components',
    max_rounds=var('identity_max_rounds'),
    hash_node_keys=var('identity_hash_node_keys', true),
    incremental=var('identity_incremental'),
) }}
{#-
    Node -> component of the identity graph. This SQL only lists the graph (an edge per row,
    node_b NULL for an identifier without edges); the connected_components materialization
    (macros/connected_components.sql) runs the rounds. var identity_edges_relation, when set,
    names a relation with columns node_a, node_b to cluster instead (tests, benchmarks).
    var identity_hash_node_keys=false numbers nodes by joining on the keys themselves instead
    of their 64-bit hash (the path taken anyway on a hash collision; tests).
-#}
{%- set edges_override = var('identity_edges_relation', none) -%}

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

    lone_nodes as (
        select distinct occurrences.identifier_key
        from occurrences
        left join excluded
            on occurrences.identifier_key = excluded.identifier_key
        where excluded.identifier_key is null
    ),

    graph as (
        select
            identifier_key_a as node_a,
            identifier_key_b as node_b
        from edges
        union all
        select
            identifier_key as node_a,
            cast(null as {{ api.Column.translate_type('string') }}) as node_b
        from lone_nodes
    )

    select * from graph

{% endif %}
