{{ config(
    materialized='incremental' if omnichannel.touch_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.touch_consents_checked_prepare() }}",
    post_hook="{{ omnichannel.touch_consents_checked_finish() }}",
) }}
{#-
    Whether each message touch happened with consent: one row per touch of a brand message
    (sent, delivered, opened, clicked) on a consent channel (email, sms, line, messenger,
    instagram, app_push) with a known customer. had_consent is the consent state in force at the
    touch's occurred_at for that customer and channel: true when any of the customer's subjects
    (email, phone, member number, LINE user id, through the identity graph) had granted and not
    since withdrawn; false when none had, including when no consent was ever recorded. A grant
    counts from its own instant on; of two events at the same instant the later event id wins,
    as in int_customer_consents_latest. The customers' granted time per channel, as disjoint
    intervals, is macro touch_consent_granted_intervals.
    Incremental on DuckDB (var touchpoints_incremental; macros/touch_changes.sql): a row is a
    function of its touch (customer, channel, type, occurred_at) and of that customer's granted
    intervals on that channel. The pre-hook brings the intervals it keeps (__grants) up to date:
    it derives again those of the customers whose subjects had consent events staged since its
    last run or changed customer (int_customers_stitched's log: merges, splits, erasures). It
    deletes, and this SQL re-derives, every touch int_touchpoints_unioned re-derived since this
    model's last run (its __changes log: new, moved, re-resolved and deleted touches) and every
    touch of a (customer, channel) whose intervals changed. No other row can change, so the
    table equals a full refresh's. The ids go to __changes for the touchpoints mart. A full
    build (first run, --full-refresh: the pre-hook also saves __grants in full), the var off and
    Spark compute the intervals in this SQL.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
    {% if is_incremental() %}
        where touchpoint_id in (
            select touchpoint_id from {{ omnichannel.touch_changes_affected() }}
        )
    {% endif %}
),

{% if is_incremental() %}
    granted_intervals as (
        select * from {{ omnichannel.touch_changes_state(this, 'grants') }}
    ),
{% else %}
    {{ omnichannel.touch_consent_granted_intervals(
        ref('stg_consent__events'), ref('int_customers_stitched')
    ) }}
{% endif %}

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
