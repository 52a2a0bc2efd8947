{#-
    First-order transition counts of the absorbing markov chain over all paths (converting and
    non-converting, after var attribution_path_transform): start -> first channel, channel ->
    next channel, last channel -> conversion or null.
-#}
with

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

select * from final
