{%- set min_sends = var('preferred_channel_min_sends') | int -%}
{%- set prior_sends = var('preferred_channel_prior_sends') | float -%}
{#-
    One row per customer with a message channel: the preferred channel and the cheapest
    effective channel.
    preferred_channel: among channels the latest consent state makes reachable with at least
      var preferred_channel_min_sends delivered sends, the highest shrunk response rate
      (empirical-Bayes beta-binomial posterior mean): (responses + k * channel rate) /
      (delivered sends + k), k = var preferred_channel_prior_sends and channel rate = all
      responses / all delivered sends on that channel. A few sends say little, so their rate is
      pulled toward what the channel usually gets; many sends keep their own. A tie (rounded
      to 10 decimals) goes to the channel with more delivered sends (more evidence), then
      alphabetically. A channel never responded to is not preferred. Null when no channel
      qualifies.
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

channel_rates as (
    select
        channel,
        cast(sum(least(response_count, delivered_count)) as double)
        / sum(delivered_count) as channel_response_rate
    from responses
    where delivered_count > 0
    group by channel
),

preferred_candidates as (
    select
        responses.customer_id,
        responses.channel,
        responses.delivered_count,
        least(responses.response_count, responses.delivered_count) as response_count,
        responses.response_rate,
        round(
            (
                least(responses.response_count, responses.delivered_count)
                + {{ prior_sends }} * channel_rates.channel_response_rate
            )
            / (responses.delivered_count + {{ prior_sends }}),
            10
        ) as shrunk_response_rate
    from responses
    inner join consents
        on
            responses.customer_id = consents.customer_id
            and responses.channel = consents.channel
    inner join channel_rates
        on responses.channel = channel_rates.channel
    where
        consents.is_consented
        and responses.delivered_count >= {{ min_sends }}
        and responses.response_count > 0
),

preferred_ranked as (
    select
        customer_id,
        channel,
        response_rate,
        shrunk_response_rate,
        row_number() over (
            partition by customer_id
            order by
                shrunk_response_rate desc,
                delivered_count desc,
                channel asc
        ) as preference_rank
    from preferred_candidates
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
        preferred_ranked.shrunk_response_rate as preferred_channel_shrunk_response_rate,
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
