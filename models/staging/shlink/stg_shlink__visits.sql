{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='visit_id',
) }}
{#- One row per Shlink visit of a short link or QR code; re-delivered visits deduplicated. -#}
with

source as (
    select * from {{ source('shlink', 'link_clicks') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(short_url__short_code) as short_code,

        -- strings
        {{ omnichannel.nullif_blank('short_url__short_url') }} as short_url,
        {{ omnichannel.nullif_blank('short_url__long_url') }} as long_url,
        {{ omnichannel.nullif_blank('short_url__tags') }} as tags_json,
        {{ omnichannel.nullif_blank('short_url__title') }} as link_title,
        {{ omnichannel.nullif_blank('visit__referer') }} as referer,
        {{ omnichannel.nullif_blank('visit__user_agent') }} as user_agent,
        {{ omnichannel.nullif_blank('visit__visit_location__country_code') }} as country_code,
        {{ omnichannel.nullif_blank('visit__visit_location__city_name') }} as city_name,
        {{ omnichannel.nullif_blank('visit__visited_url') }} as visited_url,

        -- booleans
        coalesce({{ omnichannel.parse_boolean('visit__potential_bot') }}, false)
            as is_potential_bot,
        short_url__tags like '%"qr"%' as is_qr_code,

        -- timestamps
        {{ omnichannel.parse_timestamp('short_url__date_created') }} as link_created_at,
        {{ omnichannel.parse_timestamp('visit__date') }} as visited_at,
        trim(visit__date) as visit_date_text,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('short_url__short_code') }} is not null
),

keyed as (
    select
        *,
        {{ dbt.hash(dbt.concat([
            'short_code', "'|'", 'visit_date_text', "'|'", "coalesce(user_agent, '')", "'|'",
            "coalesce(referer, '')", "'|'", "coalesce(visited_url, '')"
        ])) }} as visit_id
    from renamed
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by visit_id
            order by _loaded_at, _source_file, _row_number
        ) as delivery_rank
    from keyed
)

select
    visit_id,
    short_code,
    short_url,
    long_url,
    tags_json,
    link_title,
    referer,
    user_agent,
    country_code,
    city_name,
    visited_url,
    is_potential_bot,
    is_qr_code,
    link_created_at,
    visited_at,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
{{ first_delivery_only('visit_id') }}
