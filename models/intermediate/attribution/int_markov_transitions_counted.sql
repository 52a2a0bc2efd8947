{{ config(
    pre_hook="{{ omnichannel.attribution_changes_prepare('markov') }}",
    post_hook="{{ omnichannel.attribution_changes_finish() }}",
) }}
{#- the pre-hook reads the paths (the var set or not: one dependency graph) -#}
{%- do ref('int_attribution_paths_transformed') -%}
{#-
    First-order transition counts of the absorbing markov chain over all paths (converting and
    non-converting, after var attribution_path_transform): start -> first channel, channel ->
    next channel, last channel -> conversion or null.
    On DuckDB with var journeys_incremental (and no attribution_paths_relation) the counts are
    kept per customer in __by_customer, whose pre-hook recounts only the customers whose paths
    changed (macros/attribution_changes.sql, doc attribution_sums_incremental): this sums it.
-#}
with

{% if omnichannel.attribution_changes_enabled() %}
    counts_by_customer as (
        select * from {{ omnichannel.attribution_changes_state() }}
    ),

    final as (
        select
            from_state,
            to_state,
            cast(sum(transition_count) as {{ api.Column.translate_type('bigint') }})
                as transition_count
        from counts_by_customer
        group by from_state, to_state
    )
{% else %}
    steps as (
        select * from {{
            relation_or_ref('attribution_paths_relation', 'int_attribution_paths_transformed')
        }}
    ),

    transitions as (
        {{ path_transitions('steps') }}
    ),

    final as (
        select
            from_state,
            to_state,
            count(*) as transition_count
        from transitions
        group by from_state, to_state
    )
{% endif %}

select * from final
