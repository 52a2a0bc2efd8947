with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

touch_consents as (
    select * from {{ ref('int_touch_consents_checked') }}
),

final as (
    select
        touchpoints.touchpoint_id,
        touchpoints.customer_id,
        touchpoints.source_name,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.cost,
        touchpoints.is_engaged,
        touch_consents.had_consent,
        touchpoints.occurred_at
    from touchpoints
    left join touch_consents
        on touchpoints.touchpoint_id = touch_consents.touchpoint_id
)

select * from final
