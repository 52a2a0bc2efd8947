{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    Response rate per messaging channel per segment, for two segmentations: segment_type
    'rfm_segment' (no_orders for customers without orders) and 'lifecycle_stage' (prospect for
    customers who never acted). Responses and delivered sends as in
    int_customer_channel_responses (a click on LINE / SMS, an open on email, per message).
-#}
with

responses as (
    select * from {{ ref('int_customer_channel_responses') }}
),

rfm as (
    select * from {{ ref('int_customer_rfm_scored') }}
),

lifecycles as (
    select * from {{ ref('int_customer_lifecycles_staged') }}
),

segmented as (
    select
        'rfm_segment' as segment_type,
        coalesce(rfm.rfm_segment, 'no_orders') as segment,
        responses.channel,
        responses.customer_id,
        responses.sent_count,
        responses.delivered_count,
        responses.response_count
    from responses
    left join rfm
        on responses.customer_id = rfm.customer_id
    union all
    select
        'lifecycle_stage' as segment_type,
        coalesce(lifecycles.lifecycle_stage, 'prospect') as segment,
        responses.channel,
        responses.customer_id,
        responses.sent_count,
        responses.delivered_count,
        responses.response_count
    from responses
    left join lifecycles
        on responses.customer_id = lifecycles.customer_id
),

final as (
    select
        segment_type,
        segment,
        channel,
        cast(count(*) as {{ count_type }}) as customer_count,
        cast(sum(sent_count) as {{ count_type }}) as sent_count,
        cast(sum(delivered_count) as {{ count_type }}) as delivered_count,
        cast(sum(response_count) as {{ count_type }}) as response_count,
        cast(sum(response_count) as double) / nullif(sum(delivered_count), 0) as response_rate
    from segmented
    group by segment_type, segment, channel
)

select * from final
