{%- set float_type = 'double' -%}
{#-
    Touch-level credits of the data-driven models from their channel weights: markov (removal
    effect) and shapley (Shapley value, negatives floored at 0). In each journey, a channel gets
    its weight / the summed weight of the distinct channels of that journey, shared equally by
    its touches, so credits sum to 1 per conversion; a journey whose channels all weigh 0 is
    split equally over its touches (linear).
-#}
with

touches as (
    select * from {{
        relation_or_ref('attribution_journey_touches_relation', 'int_journey_touches_windowed')
    }}
),

markov as (
    select * from {{ ref('int_markov_removal_effects') }}
),

shapley as (
    select * from {{ ref('int_shapley_values_computed') }}
),

channel_weights as (
    select
        'markov' as model,
        channel,
        greatest(removal_effect, 0.0) as channel_weight
    from markov
    union all
    select
        'shapley' as model,
        channel,
        greatest(shapley_value, 0.0) as channel_weight
    from shapley
),

attribution_models as (
    select distinct model from channel_weights
),

touch_weights as (
    select
        touches.conversion_id,
        touches.touchpoint_id,
        attribution_models.model,
        touches.channel,
        touches.campaign_id,
        touches.touch_count,
        coalesce(channel_weights.channel_weight, 0.0) as channel_weight,
        count(*) over (
            partition by attribution_models.model, touches.conversion_id, touches.channel
        ) as channel_touch_count
    from touches
    cross join attribution_models
    left join channel_weights
        on
            attribution_models.model = channel_weights.model
            and touches.channel = channel_weights.channel
),

journey_weights as (
    select
        *,
        sum(channel_weight / channel_touch_count) over (
            partition by model, conversion_id
        ) as journey_weight
    from touch_weights
),

final as (
    select
        conversion_id,
        touchpoint_id,
        model,
        channel,
        campaign_id,
        cast(
            case
                when journey_weight > 0 then channel_weight / channel_touch_count / journey_weight
                else 1.0 / touch_count
            end as {{ float_type }}
        ) as credit
    from journey_weights
)

select * from final
