{%- set float_type = 'double' -%}
{%- set models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay',
    'position_based', 'markov', 'shapley'] -%}
{#-
    Credit of every touch of every journey under every attribution model; a conversion without
    a touch in its lookback window gets one row per model in the explicit 'unattributed' bucket
    (no touchpoint, credit 1). attributed_revenue = credit x the conversion's revenue.
-#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

rule_credits as (
    select * from {{ ref('int_rule_credits_computed') }}
),

model_credits as (
    select * from {{ ref('int_model_credits_weighted') }}
),

touch_credits as (
    select * from rule_credits
    union all
    select * from model_credits
),

attribution_models as (
    {%- for model_name in models %}
        select '{{ model_name }}' as model
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

unattributed as (
    select
        conversions.conversion_id,
        cast(null as {{ api.Column.translate_type('string') }}) as touchpoint_id,
        attribution_models.model,
        'unattributed' as channel,
        cast(null as {{ api.Column.translate_type('string') }}) as campaign_id,
        cast(1.0 as {{ float_type }}) as credit
    from conversions
    cross join attribution_models
    where not exists (
        select 1
        from touch_credits
        where touch_credits.conversion_id = conversions.conversion_id
    )
),

unioned as (
    select * from touch_credits
    union all
    select * from unattributed
),

final as (
    select
        unioned.conversion_id,
        unioned.touchpoint_id,
        unioned.model,
        unioned.channel,
        unioned.campaign_id,
        unioned.credit,
        cast(unioned.credit * conversions.revenue as {{ float_type }}) as attributed_revenue
    from unioned
    inner join conversions
        on unioned.conversion_id = conversions.conversion_id
)

select * from final
