{%- set lookback_days = var('attribution_lookback_days') | int -%}
{#-
    Paths that did not (yet) convert, what data-driven attribution compares converting paths
    with: per customer, the engaged touches after the customer's last conversion (all of them for
    a customer who never converted), at most var attribution_lookback_days days before the last
    of them. One row per customer x touch, ordered as journeys are.
-#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

last_conversions as (
    select
        customer_id,
        max(converted_at) as last_converted_at
    from conversions
    where customer_id is not null
    group by customer_id
),

open_touches as (
    select
        touchpoints.customer_id,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.occurred_at
    from touchpoints
    left join last_conversions
        on touchpoints.customer_id = last_conversions.customer_id
    where
        touchpoints.is_engaged
        and touchpoints.customer_id is not null
        and (
            last_conversions.last_converted_at is null
            or touchpoints.occurred_at >= last_conversions.last_converted_at
        )
),

path_ends as (
    select
        customer_id,
        max(occurred_at) as path_ended_at
    from open_touches
    group by customer_id
),

windowed as (
    select
        open_touches.*,
        path_ends.path_ended_at
    from open_touches
    inner join path_ends
        on open_touches.customer_id = path_ends.customer_id
    where
        open_touches.occurred_at
        >= {{ dbt.dateadd('day', -lookback_days, 'path_ends.path_ended_at') }}
),

positioned as (
    select
        {{ dbt.concat(["'open:'", 'customer_id']) }} as path_id,
        *,
        row_number() over (
            partition by customer_id
            order by occurred_at, touchpoint_id
        ) as touch_position,
        count(*) over (partition by customer_id) as touch_count
    from windowed
)

select * from positioned
