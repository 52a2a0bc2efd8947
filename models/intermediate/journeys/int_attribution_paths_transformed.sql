{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.attribution_paths_transformed_prepare() }}",
    post_hook="{{ omnichannel.attribution_paths_transformed_finish() }}",
) }}
{%- set transform = var('attribution_path_transform') -%}
{%- if transform not in ['none', 'collapse_repeats', 'first_occurrence'] -%}
    {{ exceptions.raise_compiler_error(
        "var attribution_path_transform must be none, collapse_repeats or first_occurrence, got "
        ~ transform
    ) }}
{%- endif -%}
{#-
    The channel paths data-driven attribution (markov, shapley) and the transition mart read: one
    row per path x step, converting paths (one per conversion, from its journey) and
    non-converting paths (one per customer) together, after var attribution_path_transform
    ('none'; 'collapse_repeats' keeps a touch only when its channel differs from the previous
    touch's; 'first_occurrence' keeps each channel's first touch). step counts from 1.
-#}
with

journey_touches as (
    select * from {{ ref('int_journey_touches_windowed') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

open_touches as (
    select * from {{ ref('int_non_converting_paths_windowed') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

unioned as (
    select
        conversion_id as path_id,
        true as is_converting,
        channel,
        touch_position
    from journey_touches
    union all
    select
        path_id,
        false as is_converting,
        channel,
        touch_position
    from open_touches
),

flagged as (
    select
        *,
        lag(channel) over (partition by path_id order by touch_position) as previous_channel,
        row_number() over (
            partition by path_id, channel
            order by touch_position
        ) as channel_occurrence
    from unioned
),

filtered as (
    select * from flagged
    {%- if transform == 'collapse_repeats' %}
        where previous_channel is null or previous_channel != channel
    {%- elif transform == 'first_occurrence' %}
        where channel_occurrence = 1
    {%- endif %}
),

final as (
    select
        path_id,
        is_converting,
        channel,
        row_number() over (partition by path_id order by touch_position) as step,
        count(*) over (partition by path_id) as step_count
    from filtered
)

select * from final
