{%- set min_sends = var('preferred_channel_min_sends') | int -%}
{#-
    One row per customer with a message channel: the preferred channel and the cheapest
    effective channel.
    preferred_channel: the highest response_rate among channels the latest consent state makes
      reachable with at least var preferred_channel_min_sends delivered sends; a tie goes to the channel with more
      delivered sends (more evidence), then alphabetically. Null when no channel has enough
      sends or none was ever responded to.
    cheapest_effective_channel: the lowest cost_per_response among channels the latest consent
      state makes reachable and that got at least one response; a tie goes to the higher
      response rate, then alphabetically. Null when none.
-#}
with

responses as (
    select * from {{ ref('int_customer_channel_responses') }}
),

consents as (
    select * from {{ ref('int_customer_consents_latest') }}
),

preferred_ranked as (
    select
        responses.customer_id,
        responses.channel,
        responses.response_rate,
        row_number() over (
            partition by responses.customer_id
            order by
                responses.response_rate desc,
                responses.delivered_count desc,
                responses.channel asc
        ) as preference_rank
    from responses
    inner join consents
        on
            responses.customer_id = consents.customer_id
            and responses.channel = consents.channel
    where
        consents.is_consented
        and responses.delivered_count >= {{ min_sends }}
        and responses.response_count > 0
),

cheapest_ranked as (
    select
        responses.customer_id,
        responses.channel,
        responses.cost_per_response,
        row_number() over (
            partition by responses.customer_id
            order by
                responses.cost_per_response asc,
                responses.response_rate desc,
                responses.channel asc
        ) as cost_rank
    from responses
    inner join consents
        on
            responses.customer_id = consents.customer_id
            and responses.channel = consents.channel
    where consents.is_consented and responses.response_count > 0
),

customers as (
    select distinct customer_id from responses
),

final as (
    select
        customers.customer_id,
        preferred_ranked.channel as preferred_channel,
        cheapest_ranked.channel as cheapest_effective_channel,
        preferred_ranked.response_rate as preferred_channel_response_rate,
        cheapest_ranked.cost_per_response as cheapest_channel_cost_per_response
    from customers
    left join preferred_ranked
        on
            customers.customer_id = preferred_ranked.customer_id
            and preferred_ranked.preference_rank = 1
    left join cheapest_ranked
        on
            customers.customer_id = cheapest_ranked.customer_id
            and cheapest_ranked.cost_rank = 1
)

select * from final
