{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.non_converting_paths_windowed_prepare() }}",
    post_hook="{{ omnichannel.non_converting_paths_windowed_finish() }}",
) }}
{%- set lookback_days = var('attribution_lookback_days') | int -%}
{%- set bigint_type = api.Column.translate_type('bigint') -%}
{%- set string_type = api.Column.translate_type('string') -%}
{#-
    Paths that did not convert, what data-driven attribution compares converting paths with, cut
    like converting paths: a customer's touches (int_journey_touchpoints_filtered) that are in no
    conversion's journey, in windows of var attribution_lookback_days days counted from the
    customer's first such touch (window 0 = days [0, lookback), ...). One path per customer x
    window that has touches, one row per path x touch, ordered as journeys are.
-#}
with

touchpoints as (
    select * from {{ ref('int_journey_touchpoints_filtered') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

journey_touches as (
    select * from {{ ref('int_journey_touches_windowed') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

journey_touchpoints as (
    select distinct touchpoint_id from journey_touches
),

open_touches as (
    select
        touchpoints.customer_id,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.occurred_at,
        min(touchpoints.occurred_at) over (
            partition by touchpoints.customer_id
        ) as first_open_touch_at
    from touchpoints
    left join journey_touchpoints
        on touchpoints.touchpoint_id = journey_touchpoints.touchpoint_id
    where journey_touchpoints.touchpoint_id is null
),

windowed as (
    select
        *,
        cast(
            floor(
                {{ dbt.datediff('first_open_touch_at', 'occurred_at', 'second') }}
                / {{ lookback_days * 86400 }}.0
            ) as {{ bigint_type }}
        ) as window_number
    from open_touches
),

positioned as (
    select
        {{ dbt.concat([
            "'open:'", 'customer_id', "':'",
            'cast(window_number as ' ~ string_type ~ ')'
        ]) }} as path_id,
        *,
        min(occurred_at) over (
            partition by customer_id, window_number
        ) as path_started_at,
        max(occurred_at) over (
            partition by customer_id, window_number
        ) as path_ended_at,
        row_number() over (
            partition by customer_id, window_number
            order by occurred_at, touchpoint_id
        ) as touch_position,
        count(*) over (partition by customer_id, window_number) as touch_count
    from windowed
)

select * from positioned
