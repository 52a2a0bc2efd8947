with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

final as (
    select
        touchpoint_id,
        customer_id,
        source_name,
        channel,
        touch_type,
        campaign_id,
        cost,
        is_engaged,
        occurred_at
    from touchpoints
)

select * from final
