{#-
    CTEs (to follow `with`, each ending in a comma, the last one named granted_intervals) of
    every customer's granted consent time per channel, as disjoint intervals (granted_intervals:
    customer_id, channel, valid_from, valid_to; valid_to null while still granted):
    a customer is granted on a channel while any of its subjects (email, phone, member number,
    LINE user id, through the identity graph: customers is int_customers_stitched) has granted
    and not since withdrawn. A grant counts from its own instant on; of two events of a subject at
    the same instant the later event id wins, as in int_customer_consents_latest.
    The subjects' states become +1 where a grant starts and -1 where it ends; the running sum is
    the number of the customer's subjects granted from that instant on, and the intervals are
    where it is positive. A touch then falls into at most one interval, so no per-touch
    aggregation over overlapping subject states is needed (at 1M customers that aggregation over
    tens of millions of touch ids was the step that spilled). Used by int_touch_consents_checked
    (in its SQL, and in its pre-hook, which compares the intervals with those its last build
    saved). CTEs rather than a nested with (portable to Spark).
-#}
{% macro touch_consent_granted_intervals(consent_events, customers) -%}
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
        from {{ consent_events }}
        where subject_hash is not null and occurred_at is not null
    ),

    customer_states as (
        select
            customers.customer_id,
            subject_states.channel,
            subject_states.valid_from,
            subject_states.valid_to
        from subject_states
        inner join {{ customers }} as customers
            on
                {{ omnichannel.identifier_key(
                    'subject_states.subject_type', 'subject_states.subject_hash'
                ) }} = customers.identifier_key
        where subject_states.is_granted
    ),

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
{%- endmacro %}
