{{ config(
    materialized='incremental' if omnichannel.rule_credits_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.rule_credits_prepare() }}",
    post_hook="{{ omnichannel.rule_credits_finish() }}",
) }}
{%- set half_life = var('attribution_time_decay_half_life_days') -%}
{#-
    Rule-based credit of every touch of every journey, one row per conversion x touch x model:
    first_touch, last_touch, last_non_direct (the last touch whose channel is not direct; the
    last touch when all are direct), linear (1 / touches), time_decay (weight
    0.5 ^ (days before the conversion / var attribution_time_decay_half_life_days), normalised per
    conversion) and position_based (40 % first, 40 % last, 20 % shared by the middle touches;
    50/50 with two touches; all with one). Touches at the same instant are ordered by
    touchpoint_id, so first/last ties are broken deterministically.
    Incremental per customer on DuckDB (var journeys_incremental, no
    attribution_journey_touches_relation; macros/attribution_changes.sql, doc
    attribution_sums_incremental): re-derives the conversions of the customers
    int_journey_touches_windowed logged since its last build.
-#}
with

touches as (
    select * from {{
        relation_or_ref('attribution_journey_touches_relation', 'int_journey_touches_windowed')
    }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

last_non_direct as (
    select
        conversion_id,
        max(touch_position) as last_non_direct_position
    from touches
    where channel != 'direct'
    group by conversion_id
),

weighted as (
    select
        touches.conversion_id,
        touches.touchpoint_id,
        touches.channel,
        touches.campaign_id,
        touches.touch_position,
        touches.touch_count,
        coalesce(last_non_direct.last_non_direct_position, touches.touch_count)
            as last_non_direct_position,
        power(0.5, touches.days_before_conversion / {{ half_life }}) as decay_weight
    from touches
    left join last_non_direct
        on touches.conversion_id = last_non_direct.conversion_id
),

normalised as (
    select
        *,
        sum(decay_weight) over (partition by conversion_id) as decay_weight_total
    from weighted
),

{%- set rules = {
    'first_touch': 'case when touch_position = 1 then 1.0 else 0.0 end',
    'last_touch': 'case when touch_position = touch_count then 1.0 else 0.0 end',
    'last_non_direct':
        'case when touch_position = last_non_direct_position then 1.0 else 0.0 end',
    'linear': '1.0 / touch_count',
    'time_decay': 'decay_weight / decay_weight_total',
    'position_based': 'case when touch_count = 1 then 1.0 when touch_count = 2 then 0.5 '
        ~ 'when touch_position = 1 or touch_position = touch_count then 0.4 '
        ~ 'else 0.2 / (touch_count - 2) end',
} %}

credited as (
    {%- for model_name, credit_expression in rules.items() %}
        select
            conversion_id,
            touchpoint_id,
            '{{ model_name }}' as model,
            channel,
            campaign_id,
            cast({{ credit_expression }} as {{ 'double' }}) as credit
        from normalised
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from credited
