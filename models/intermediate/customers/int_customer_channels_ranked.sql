{%- set min_sends = var('preferred_channel_min_sends') | int -%}
{%- set prior_sends = var('preferred_channel_prior_sends') | float -%}
{%- set min_lead_se = var('preferred_channel_min_lead_se') | float -%}
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
      alphabetically. A channel never responded to is not preferred. The leader must beat the
      runner-up (the next such channel, responded to or not) by at least
      var preferred_channel_min_lead_se standard errors of the difference of the two shrunk
      rates (beta posterior variance m(1 - m) / (delivered + k + 1) each): a lead smaller than
      the noise of a handful of sends is no preference. Null when no channel qualifies or the
      lead is too small; 0 turns the lead rule off.
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
),

preferred_ranked as (
    select
        customer_id,
        channel,
        delivered_count,
        response_count,
        response_rate,
        shrunk_response_rate,
        shrunk_response_rate * (1 - shrunk_response_rate)
        / (delivered_count + {{ prior_sends }} + 1) as shrunk_rate_variance
    from preferred_candidates
),

leaders_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by
                shrunk_response_rate desc,
                delivered_count desc,
                channel asc
        ) as preference_rank
    from preferred_ranked
    where response_count > 0
),

leaders as (
    select * from leaders_ranked
    where preference_rank = 1
),

runners_up_ranked as (
    select
        rivals.customer_id,
        rivals.shrunk_response_rate,
        rivals.shrunk_rate_variance,
        row_number() over (
            partition by rivals.customer_id
            order by
                rivals.shrunk_response_rate desc,
                rivals.delivered_count desc,
                rivals.channel asc
        ) as rival_rank
    from preferred_ranked as rivals
    inner join leaders
        on
            rivals.customer_id = leaders.customer_id
            and rivals.channel != leaders.channel
),

preferred_leads as (
    select
        leaders.customer_id,
        leaders.channel,
        leaders.response_rate,
        leaders.shrunk_response_rate,
        runners_up.shrunk_response_rate as runner_up_shrunk_response_rate,
        leaders.shrunk_rate_variance + runners_up.shrunk_rate_variance as difference_variance
    from leaders
    left join runners_up_ranked as runners_up
        on
            leaders.customer_id = runners_up.customer_id
            and runners_up.rival_rank = 1
),

preferred as (
    select
        customer_id,
        channel,
        response_rate,
        shrunk_response_rate,
        case
            when difference_variance > 0
                then round(
                    (shrunk_response_rate - runner_up_shrunk_response_rate)
                    / sqrt(difference_variance),
                    4
                )
        end as lead_standard_errors
    from preferred_leads
    where
        runner_up_shrunk_response_rate is null
        or shrunk_response_rate - runner_up_shrunk_response_rate
        >= {{ min_lead_se }} * sqrt(difference_variance)
        {#- 0 turns the rule off: the best responded channel, ties broken as above #}
        or {{ min_lead_se }} = 0
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
        preferred.channel as preferred_channel,
        cheapest_ranked.channel as cheapest_effective_channel,
        preferred.response_rate as preferred_channel_response_rate,
        preferred.shrunk_response_rate as preferred_channel_shrunk_response_rate,
        preferred.lead_standard_errors as preferred_channel_lead_standard_errors,
        cheapest_ranked.cost_per_response as cheapest_channel_cost_per_response
    from customers
    left join preferred
        on customers.customer_id = preferred.customer_id
    left join cheapest_ranked
        on
            customers.customer_id = cheapest_ranked.customer_id
            and cheapest_ranked.cost_rank = 1
)

select * from final
