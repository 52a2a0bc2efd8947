{#- One row per Meta Ads campaign per day (Insights daily breakdown); latest load wins. -#}
with

source as (
    select * from {{ source('meta_ads', 'ad_spend_meta_ads') }}
),

renamed as (
    select
        -- ids
        trim(campaign_id) as campaign_id,

        -- strings
        {{ omnichannel.nullif_blank('campaign_name') }} as campaign_name,
        'TWD' as currency,

        -- numerics
        {{ dbt.safe_cast(omnichannel.regexp_replace_all('impressions', '[^0-9.-]', ''), api.Column.translate_type('bigint')) }}
            as impressions,
        {{ dbt.safe_cast(omnichannel.regexp_replace_all('reach', '[^0-9.-]', ''), api.Column.translate_type('bigint')) }}
            as reach,
        {{ dbt.safe_cast(omnichannel.regexp_replace_all('link_clicks', '[^0-9.-]', ''), api.Column.translate_type('bigint')) }}
            as link_clicks,
        {{ dbt.safe_cast(omnichannel.regexp_replace_all('results', '[^0-9.-]', ''), 'decimal(18, 2)') }}
            as platform_results,
        {{ dbt.safe_cast(omnichannel.regexp_replace_all('amount_spent_twd', '[^0-9.-]', ''), 'decimal(18, 2)') }}
            as cost_amount,

        -- dates
        cast({{ omnichannel.parse_timestamp('day', '%Y-%m-%d') }} as date) as spend_date,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('campaign_id') }} is not null
),

deduplicated as (
    select
        *,
        {{ dbt.concat(['campaign_id', "'-'", dbt.safe_cast('spend_date', api.Column.translate_type('string'))]) }}
            as campaign_day_id,
        row_number() over (
            partition by campaign_id, spend_date
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from renamed
    where spend_date is not null
)

select
    campaign_day_id,
    campaign_id,
    campaign_name,
    currency,
    impressions,
    reach,
    link_clicks,
    platform_results,
    cost_amount,
    spend_date,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
where delivery_rank = 1
