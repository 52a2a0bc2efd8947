{#-
    RFM scores of every customer with an order: each of recency (latest order), frequency
    (orders) and monetary (net revenue) scored 1-5 as 1 + floor(5 * percent_rank), capped at 5,
    so 5 is the best fifth and ties share a score (deterministic, unlike ntile). Segment, first
    matching rule wins:
      champions        r >= 4 and f >= 4 and m >= 4;
      loyal            r >= 3 and f >= 3;
      new_customers    r >= 4 and f <= 2;
      at_risk          r <= 2 and f >= 3;
      hibernating      r <= 2 and f <= 2;
      needs_attention  otherwise.
-#}
with

orders as (
    select * from {{ ref('int_customer_orders_summarized') }}
),

ranked as (
    select
        customer_id,
        percent_rank() over (order by last_order_at) as recency_rank,
        percent_rank() over (order by order_count) as frequency_rank,
        percent_rank() over (order by revenue) as monetary_rank
    from orders
),

scored as (
    select
        customer_id,
        cast(least(5, 1 + floor(5 * recency_rank)) as {{ api.Column.translate_type('integer') }})
            as recency_score,
        cast(least(5, 1 + floor(5 * frequency_rank)) as {{ api.Column.translate_type('integer') }})
            as frequency_score,
        cast(least(5, 1 + floor(5 * monetary_rank)) as {{ api.Column.translate_type('integer') }})
            as monetary_score
    from ranked
),

final as (
    select
        customer_id,
        {{ dbt.concat([
            dbt.safe_cast('recency_score', api.Column.translate_type('string')),
            dbt.safe_cast('frequency_score', api.Column.translate_type('string')),
            dbt.safe_cast('monetary_score', api.Column.translate_type('string')),
        ]) }} as rfm_score,
        case
            when recency_score >= 4 and frequency_score >= 4 and monetary_score >= 4
                then 'champions'
            when recency_score >= 3 and frequency_score >= 3 then 'loyal'
            when recency_score >= 4 and frequency_score <= 2 then 'new_customers'
            when recency_score <= 2 and frequency_score >= 3 then 'at_risk'
            when recency_score <= 2 and frequency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment,
        recency_score,
        frequency_score,
        monetary_score
    from scored
)

select * from final
