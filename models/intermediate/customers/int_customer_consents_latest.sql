{{ config(
    materialized='incremental' if omnichannel.customer_consents_incremental() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.customer_consents_latest_prepare() }}",
    post_hook="{{ omnichannel.customer_consents_latest_finish() }}",
) }}
{#-
    Consent per customer x channel: the latest consent event of each of the customer's
    subjects (email, phone, member number, LINE user id) for the channel, found through the
    identity graph. The customer is reachable (is_consented) on the channel when any subject's
    latest state is granted - a withdrawn old phone does not block a granted new one.
    Incremental per customer on DuckDB (var journeys_incremental; macros/consent_changes.sql):
    a customer's rows are a function of its subjects' consent events and its erasure state, so
    the pre-hook deletes, and this SQL derives again from just their events and subjects, the
    rows of the customers, before and now, of the consent events staged since its last build
    and of the subjects int_customers_stitched logged since (merges, splits, erasures). Table
    on Spark, with the var off and on --full-refresh.
-#}
with

{% if is_incremental() %}
    consent_events as (
        select * from temp.{{ this.identifier }}__customer_events
    ),

    customers as (
        select * from temp.{{ this.identifier }}__customer_subjects
    ),
{% else %}
    consent_events as (
        select * from {{ ref('stg_consent__events') }}
    ),

    customers as (
        select * from {{ ref('int_customers_stitched') }}
    ),
{% endif %}

subject_events_ranked as (
    select
        subject_type,
        subject_hash,
        channel,
        is_granted,
        occurred_at,
        row_number() over (
            partition by subject_type, subject_hash, channel
            order by occurred_at desc, consent_event_id desc
        ) as recency_rank
    from consent_events
    where subject_hash is not null
),

customer_subject_states as (
    select
        customers.customer_id,
        subject_events_ranked.channel,
        subject_events_ranked.is_granted,
        subject_events_ranked.occurred_at
    from subject_events_ranked
    inner join customers
        on
            {{ omnichannel.identifier_key(
                'subject_events_ranked.subject_type', 'subject_events_ranked.subject_hash'
            ) }} = customers.identifier_key
    where subject_events_ranked.recency_rank = 1 and not customers.is_erased
),

final as (
    select
        customer_id,
        channel,
        max(case when is_granted then 1 else 0 end) = 1 as is_consented,
        max(occurred_at) as consent_updated_at
    from customer_subject_states
    group by customer_id, channel
)

select * from final
