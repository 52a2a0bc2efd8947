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
        subject_states.valid_from,
        subject_states.valid_to
    from subject_states
    inner join customers
        on
            {{ omnichannel.identifier_key(
                'subject_states.subject_type', 'subject_states.subject_hash'
            ) }} = customers.identifier_key
    where subject_states.is_granted
),

{#
    The customer's granted time per channel as disjoint intervals: +1 where a subject's grant
    starts, -1 where it ends; the running sum is the number of the customer's subjects granted
    from that instant on. A touch then falls into at most one interval, so no per-touch
    aggregation over overlapping subject states is needed (at 1M customers that aggregation
    over tens of millions of touch ids was the step that spilled).
#}
grant_changes as (
    select
        customer_id,
        channel,
        valid_from as changed_at,
        1 as granted_delta
    from customer_states
    union all
    select
        customer_id,
        channel,
        valid_to as changed_at,
        -1 as granted_delta
    from customer_states
    where valid_to is not null
),

grant_changes_netted as (
    select
        customer_id,
        channel,
        changed_at,
        sum(granted_delta) as granted_delta
    from grant_changes
    group by customer_id, channel, changed_at
),

grant_levels as (
    select
        customer_id,
        channel,
        changed_at as valid_from,
        lead(changed_at) over (
            partition by customer_id, channel
            order by changed_at asc
        ) as valid_to,
        sum(granted_delta) over (
            partition by customer_id, channel
            order by changed_at asc
            rows between unbounded preceding and current row
        ) as granted_subjects
    from grant_changes_netted
),

granted_intervals as (
    select
        customer_id,
        channel,
        valid_from,
        valid_to
    from grant_levels
    where granted_subjects > 0
),

final as (
    select
        message_touches.touchpoint_id,
        granted_intervals.customer_id is not null as had_consent
    from message_touches
    left join granted_intervals
        on
            message_touches.customer_id = granted_intervals.customer_id
            and message_touches.channel = granted_intervals.channel
            and message_touches.occurred_at >= granted_intervals.valid_from
            and (
                granted_intervals.valid_to is null
                or message_touches.occurred_at < granted_intervals.valid_to
            )
)

select * from final
