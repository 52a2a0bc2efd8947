{#-
    Whether each message touch happened with consent: one row per touch of a brand message
    (sent, delivered, opened, clicked) on a consent channel (email, sms, line, messenger,
    instagram, app_push) with a known customer. had_consent is the consent state in force at the
    touch's occurred_at for that customer and channel: true when any of the customer's subjects
    (email, phone, member number, LINE user id, through the identity graph) had granted and not
    since withdrawn; false when none had, including when no consent was ever recorded. A grant
    counts from its own instant on; of two events at the same instant the later event id wins,
    as in int_customer_consents_latest.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

consent_events as (
    select * from {{ ref('stg_consent__events') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

message_touches as (
    select
        touchpoint_id,
        customer_id,
        channel,
        occurred_at
    from touchpoints
    where
        customer_id is not null
        and touch_type in ('sent', 'delivered', 'opened', 'clicked')
        and channel in ('email', 'sms', 'line', 'messenger', 'instagram', 'app_push')
),

subject_states as (
    select
        subject_type,
        subject_hash,
        channel,
        is_granted,
        occurred_at as valid_from,
        lead(occurred_at) over (
            partition by subject_type, subject_hash, channel
            order by occurred_at asc, consent_event_id asc
        ) as valid_to
    from consent_events
    where subject_hash is not null and occurred_at is not null
),

customer_states as (
    select
        customers.customer_id,
        subject_states.channel,
        subject_states.is_granted,
        subject_states.valid_from,
        subject_states.valid_to
    from subject_states
    inner join customers
        on
            {{ omnichannel.identifier_key(
                'subject_states.subject_type', 'subject_states.subject_hash'
            ) }} = customers.identifier_key
),

final as (
    select
        message_touches.touchpoint_id,
        max(case when customer_states.is_granted then 1 else 0 end) = 1 as had_consent
    from message_touches
    left join customer_states
        on
            message_touches.customer_id = customer_states.customer_id
            and message_touches.channel = customer_states.channel
            and message_touches.occurred_at >= customer_states.valid_from
            and (
                customer_states.valid_to is null
                or message_touches.occurred_at < customer_states.valid_to
            )
    group by message_touches.touchpoint_id
)

select * from final
