{{ config(
    materialized='incremental' if omnichannel.journey_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.customer_channel_responses_prepare() }}",
    post_hook="{{ omnichannel.customer_channel_responses_finish() }}",
) }}
{%- set money = 'decimal(18, 4)' -%}
{#-
    Per customer x messaging channel (line, sms, email) that sent them something: sends,
    delivered sends, responses, response rate and cost. A response is one message acted on:
    a click of its per-recipient link on LINE and SMS, an open on email (each counted once per
    campaign, however often they clicked). response_rate = responses / delivered sends, capped
    at 1. message_cost is the billed cost of the sends (TWD); cost_per_response is null without
    a response.
    Incremental per customer on DuckDB (var journeys_incremental; macros/customer_changes.sql,
    doc customer_summaries_incremental): re-aggregates only the customers whose message touches
    changed since its last build.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
    {{ omnichannel.journey_changes_customers_filter() }}
),

message_touches as (
    select
        customer_id,
        channel,
        touch_type,
        campaign_id,
        cost
    from touchpoints
    where customer_id is not null and channel in ('line', 'sms', 'email')
),

sends as (
    select
        customer_id,
        channel,
        sum(case when touch_type = 'sent' then 1 else 0 end) as sent_count,
        sum(case when touch_type = 'delivered' then 1 else 0 end) as delivered_count,
        sum(case when touch_type = 'sent' then cost else 0 end) as message_cost
    from message_touches
    group by customer_id, channel
),

responses as (
    select
        customer_id,
        channel,
        count(distinct campaign_id) as response_count
    from message_touches
    where
        campaign_id is not null
        and (
            (channel in ('line', 'sms') and touch_type = 'clicked')
            or (channel = 'email' and touch_type = 'opened')
        )
    group by customer_id, channel
),

final as (
    select
        sends.customer_id,
        sends.channel,
        cast(sends.sent_count as {{ api.Column.translate_type('bigint') }}) as sent_count,
        cast(sends.delivered_count as {{ api.Column.translate_type('bigint') }})
            as delivered_count,
        cast(coalesce(responses.response_count, 0) as {{ api.Column.translate_type('bigint') }})
            as response_count,
        case
            when sends.delivered_count > 0
                then least(
                    1.0,
                    cast(coalesce(responses.response_count, 0) as double)
                    / sends.delivered_count
                )
        end as response_rate,
        cast(sends.message_cost as {{ money }}) as message_cost,
        cast(
            sends.message_cost / nullif(responses.response_count, 0) as {{ money }}
        ) as cost_per_response
    from sends
    left join responses
        on
            sends.customer_id = responses.customer_id
            and sends.channel = responses.channel
    where sends.sent_count > 0
)

select * from final
