{#-
    Step-indexed channel transitions of every path (converting and not), what a Sankey chart
    reads: from (step, state) to (step + 1, state), states being the channels plus start,
    conversion and null (no conversion). Paths after var attribution_path_transform.
-#}
with

steps as (
    select * from {{ ref('int_attribution_paths_transformed') }}
),

transitions as (
    {{ path_transitions('steps') }}
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
    from transitions
    group by from_step, from_state, to_state
)

select * from final
