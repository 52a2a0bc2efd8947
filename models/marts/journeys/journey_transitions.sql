{#-
    Step-indexed channel transitions of every path (converting and not), what a Sankey chart
    reads: from (step, state) to (step + 1, state), states being the channels plus start,
    conversion and null (no conversion). Paths after var attribution_path_transform.
-#}
with

steps as (
    select * from {{ ref('int_attribution_paths_transformed') }}
),

path_starts as (
    select
        path_id,
        is_converting,
        0 as from_step,
        'start' as from_state,
        channel as to_state
    from steps
    where step = 1
),

path_moves as (
    select
        path_id,
        is_converting,
        step as from_step,
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
        -- bigint on every engine (Spark's row_number() is int, DuckDB's bigint)
        cast(from_step as {{ api.Column.translate_type('bigint') }}) as from_step,
        from_state,
        to_state,
        count(*) as transition_count,
        cast(
            sum(
                case when is_converting then 1 else 0 end
            ) as {{ api.Column.translate_type('bigint') }}
        )
            as converting_transition_count
    from unioned
    group by from_step, from_state, to_state
)

select * from final
