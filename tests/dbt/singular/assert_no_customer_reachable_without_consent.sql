-- Nobody appears reachable on a channel without consent: recomputes each customer's current
-- consent per channel from the consent history itself (latest event of each of the customer's
-- subjects; reachable when any is granted) and returns every customer_360 row that lists a
-- channel as consented, flags it, or names it preferred or cheapest-effective while that
-- history does not grant it. Also returns brand-message touches marked had_consent although no
-- subject had granted the channel at or before the touch.
with

consent_events as (
    select * from {{ ref('stg_consent__events') }}
),

stitched as (
    select * from {{ ref('int_customers_stitched') }}
),

customer_360 as (
    select * from {{ ref('customer_360') }}
),

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

consent_channels as (
    select 'email' as channel
    union all
    select 'sms' as channel
    union all
    select 'line' as channel
    union all
    select 'messenger' as channel
    union all
    select 'instagram' as channel
    union all
    select 'app_push' as channel
),

latest_per_subject as (
    select
        subject_type,
        subject_hash,
        channel,
        is_granted,
        row_number() over (
            partition by subject_type, subject_hash, channel
            order by occurred_at desc, consent_event_id desc
        ) as recency_rank
    from consent_events
    where subject_hash is not null
),

granted_now as (
    select distinct
        stitched.customer_id,
        latest_per_subject.channel
    from latest_per_subject
    inner join stitched
        on
            {{ omnichannel.identifier_key(
                'latest_per_subject.subject_type', 'latest_per_subject.subject_hash'
            ) }} = stitched.identifier_key
    where latest_per_subject.recency_rank = 1 and latest_per_subject.is_granted
),

claimed as (
    select
        customer_id,
        'email' as channel,
        'is_email_consented' as claimed_by
    from customer_360
    where is_email_consented
    union all
    select
        customer_id,
        'sms' as channel,
        'is_sms_consented' as claimed_by
    from customer_360
    where is_sms_consented
    union all
    select
        customer_id,
        'line' as channel,
        'is_line_consented' as claimed_by
    from customer_360
    where is_line_consented
    union all
    select
        customer_id,
        preferred_channel as channel,
        'preferred_channel' as claimed_by
    from customer_360
    where preferred_channel is not null
    union all
    select
        customer_id,
        cheapest_effective_channel as channel,
        'cheapest_effective_channel' as claimed_by
    from customer_360
    where cheapest_effective_channel is not null
    union all
    select
        customer_360.customer_id,
        consent_channels.channel,
        'consented_channels' as claimed_by
    from customer_360
    cross join consent_channels
    where
        {{ dbt.position(dbt.concat(["','", 'consent_channels.channel', "','"]),
            dbt.concat(["','", 'customer_360.consented_channels', "','"])) }} > 0
),

unconsented_claims as (
    select
        claimed.customer_id,
        claimed.channel,
        claimed.claimed_by
    from claimed
    left join granted_now
        on
            claimed.customer_id = granted_now.customer_id
            and claimed.channel = granted_now.channel
    where granted_now.customer_id is null
),

ever_granted as (
    select
        stitched.customer_id,
        consent_events.channel,
        min(consent_events.occurred_at) as first_granted_at
    from consent_events
    inner join stitched
        on
            {{ omnichannel.identifier_key(
                'consent_events.subject_type', 'consent_events.subject_hash'
            ) }} = stitched.identifier_key
    where consent_events.is_granted
    group by stitched.customer_id, consent_events.channel
),

touches_claiming_consent as (
    select
        touchpoints.customer_id,
        touchpoints.channel,
        'touchpoints.had_consent' as claimed_by
    from touchpoints
    left join ever_granted
        on
            touchpoints.customer_id = ever_granted.customer_id
            and touchpoints.channel = ever_granted.channel
            and touchpoints.occurred_at >= ever_granted.first_granted_at
    where touchpoints.had_consent and ever_granted.customer_id is null
),

final as (
    select * from unconsented_claims
    union all
    select * from touches_claiming_consent
)

select * from final
