{%- set float_type = 'double' -%}
{#-
    Attribution per model and channel: attributed conversions (sum of credit) and revenue,
    spend (ad spend plus message cost, over the whole loaded period; see attribution_by_campaign),
    roas = attributed revenue / spend and cpa = spend / attributed conversions (null when the
    divisor is 0). The unattributed bucket is a row of its own.
-#}
with

campaigns as (
    select * from {{ ref('attribution_by_campaign') }}
),

final as (
    select
        model,
        channel,
        cast(sum(attributed_conversions) as {{ float_type }}) as attributed_conversions,
        cast(sum(attributed_revenue) as {{ float_type }}) as attributed_revenue,
        cast(sum(spend) as {{ float_type }}) as spend,
        cast(sum(attributed_revenue) / nullif(sum(spend), 0) as {{ float_type }}) as roas,
        cast(sum(spend) / nullif(sum(attributed_conversions), 0) as {{ float_type }}) as cpa
    from campaigns
    group by model, channel
)

select * from final
