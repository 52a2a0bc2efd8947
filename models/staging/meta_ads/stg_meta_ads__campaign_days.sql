{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key=['campaign_id', 'spend_date'],
) }}
{%- set string_type = api.Column.translate_type('string') -%}
{#- One row per Meta Ads campaign per day (Insights daily breakdown); latest load wins. -#}
with

source as (
    select * from {{ source('meta_ads', 'ad_spend_meta_ads') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(campaign_id) as campaign_id,

        -- strings
        {{ omnichannel.nullif_blank('campaign_name') }} as campaign_name,
        'TWD' as currency,

        -- numerics
        {{ omnichannel.parse_number('impressions', api.Column.translate_type('bigint')) }}
            as impressions,
        {{ omnichannel.parse_number('reach', api.Column.translate_type('bigint')) }}
            as reach,
        {{ omnichannel.parse_number('link_clicks', api.Column.translate_type('bigint')) }}
            as link_clicks,
        {{ omnichannel.parse_number('results') }}
            as platform_results,
        {{ omnichannel.parse_number('amount_spent_twd') }}
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
        {{ dbt.concat(['campaign_id', "'-'", dbt.safe_cast('spend_date', string_type)]) }}
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
