{%- set float_type = 'double' -%}
{#-
    Attribution at campaign level: one row per model x channel x campaign_id (campaign_id
    'none' for touches without a campaign), with the campaign's spend over the whole loaded
    period: ad spend for Google Ads (paid_search) and Meta Ads (paid_social) campaigns, the
    summed per-message cost of sent messages for messaging campaigns. roas = attributed revenue /
    spend, cpa = spend / attributed conversions (null when the divisor is 0).
-#}
with

credits as (
    select * from {{ ref('attribution_credits') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

google_ads as (
    select * from {{ ref('stg_google_ads__campaign_days') }}
),

meta_ads as (
    select * from {{ ref('stg_meta_ads__campaign_days') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

ad_spend as (
    select
        'paid_search' as channel,
        google_ads.campaign_id,
        google_ads.cost_amount * coalesce(currency_rates.rate_to_twd, 1) as spend
    from google_ads
    left join currency_rates
        on google_ads.currency = currency_rates.currency
    union all
    select
        'paid_social' as channel,
        meta_ads.campaign_id,
        meta_ads.cost_amount * coalesce(currency_rates.rate_to_twd, 1) as spend
    from meta_ads
    left join currency_rates
        on meta_ads.currency = currency_rates.currency
    union all
    select
        channel,
        campaign_id,
        cost as spend
    from touchpoints
    where cost != 0
),

campaign_spend as (
    select
        channel,
        coalesce(campaign_id, 'none') as campaign_id,
        sum(spend) as spend
    from ad_spend
    group by channel, coalesce(campaign_id, 'none')
),

campaign_credits as (
    select
        model,
        channel,
        coalesce(campaign_id, 'none') as campaign_id,
        sum(credit) as attributed_conversions,
        sum(attributed_revenue) as attributed_revenue
    from credits
    group by model, channel, coalesce(campaign_id, 'none')
),

attribution_models as (
    select distinct model from credits
),

model_campaigns as (
    select
        model,
        channel,
        campaign_id
    from campaign_credits
    union
    select
        attribution_models.model,
        campaign_spend.channel,
        campaign_spend.campaign_id
    from attribution_models
    cross join campaign_spend
),

final as (
    select
        model_campaigns.model,
        model_campaigns.channel,
        model_campaigns.campaign_id,
        cast(coalesce(campaign_credits.attributed_conversions, 0) as {{ float_type }})
            as attributed_conversions,
        cast(coalesce(campaign_credits.attributed_revenue, 0) as {{ float_type }})
            as attributed_revenue,
        cast(coalesce(campaign_spend.spend, 0) as {{ float_type }}) as spend,
        cast(
            coalesce(campaign_credits.attributed_revenue, 0) / nullif(campaign_spend.spend, 0)
            as {{ float_type }}
        ) as roas,
        cast(
            campaign_spend.spend / nullif(campaign_credits.attributed_conversions, 0)
            as {{ float_type }}
        ) as cpa
    from model_campaigns
    left join campaign_credits
        on
            model_campaigns.model = campaign_credits.model
            and model_campaigns.channel = campaign_credits.channel
            and model_campaigns.campaign_id = campaign_credits.campaign_id
    left join campaign_spend
        on
            model_campaigns.channel = campaign_spend.channel
            and model_campaigns.campaign_id = campaign_spend.campaign_id
)

select * from final
