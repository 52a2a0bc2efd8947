with

markov as (
    select * from {{ ref('int_markov_removal_effects') }}
),

shapley as (
    select * from {{ ref('int_shapley_values_computed') }}
),

unioned as (
    select
        'markov' as model,
        channel,
        removal_effect as channel_value
    from markov
    union all
    select
        'shapley' as model,
        channel,
        shapley_value as channel_value
    from shapley
),

final as (
    select
        model,
        channel,
        cast(channel_value as double) as channel_value,
        cast(
            greatest(channel_value, 0.0)
            / nullif(sum(greatest(channel_value, 0.0)) over (partition by model), 0)
            as double
        ) as weight_share
    from unioned
)

select * from final
