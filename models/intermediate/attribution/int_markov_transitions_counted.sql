{#-
    First-order transition counts of the absorbing markov chain over all paths (converting and
    non-converting, after var attribution_path_transform): start -> first channel, channel ->
    next channel, last channel -> conversion or null.
-#}
with

steps as (
    {%- if var('attribution_paths_relation') %}
        select * from {{ var('attribution_paths_relation') }}
    {%- else %}
        select * from {{ ref('int_attribution_paths_transformed') }}
    {%- endif %}
),

path_starts as (
    select
        'start' as from_state,
        channel as to_state
    from steps
    where step = 1
),

path_moves as (
    select
        channel as from_state,
        coalesce(
            lead(channel) over (partition by path_id order by step),
            case when is_converting then 'conversion' else 'null' end
        ) as to_state
    from steps
),

unioned as (
    select * from path_starts
    union all
    select * from path_moves
),

final as (
    select
        from_state,
        to_state,
        count(*) as transition_count
    from unioned
    group by from_state, to_state
)

select * from final
