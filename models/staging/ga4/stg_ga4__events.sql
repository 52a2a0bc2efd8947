{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='event_id',
) }}
{#-
    One row per GA4 event. A day re-exported or a file re-delivered repeats events: they are
    deduplicated on (stream_id, user_pseudo_id, event_timestamp, event_name, ga_session_id,
    page_location), keeping the latest load. user_pseudo_id is the web cookie on WEB and the app
    instance id on ANDROID / IOS. short_code is the per-recipient short link a message click
    landed from (`sl=<code>` in page_location), the key that links the cookie to the recipient.
-#}
with

source as (
    select * from {{ source('ga4', 'web_events') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(user_pseudo_id) as user_pseudo_id,
        {{ omnichannel.nullif_blank('user_id') }} as member_number,
        {{ omnichannel.nullif_blank('stream_id') }} as stream_id,
        {{ omnichannel.nullif_blank('param__ga_session_id') }} as ga_session_id,
        {{ omnichannel.nullif_blank('ecommerce__transaction_id') }} as transaction_id,
        {{ omnichannel.nullif_blank('collected_traffic_source__manual_campaign_id') }}
            as traffic_campaign_id,
        {{ omnichannel.nullif_blank('collected_traffic_source__gclid') }} as gclid,
        -- per-recipient short link the session landed from (`sl=` of the link's long URL)
        nullif(
            regexp_extract(param__page_location, '[?&]sl=([0-9A-Za-z]+)', 1), ''
        ) as short_code,

        -- strings
        trim(event_name) as event_name,
        upper({{ omnichannel.nullif_blank('platform') }}) as platform,
        lower({{ omnichannel.nullif_blank('device__category') }}) as device_category,
        {{ omnichannel.nullif_blank('device__operating_system') }} as device_operating_system,
        {{ omnichannel.nullif_blank('device__web_info__browser') }} as device_browser,
        {{ omnichannel.nullif_blank('geo__country') }} as geo_country,
        {{ omnichannel.nullif_blank('geo__city') }} as geo_city,
        {{ omnichannel.nullif_blank('collected_traffic_source__manual_campaign_name') }}
            as traffic_campaign_name,
        {{ omnichannel.nullif_blank('collected_traffic_source__manual_source') }}
            as traffic_source,
        {{ omnichannel.nullif_blank('collected_traffic_source__manual_medium') }}
            as traffic_medium,
        {{ omnichannel.nullif_blank('param__page_location') }} as page_location,
        {{ omnichannel.nullif_blank('param__page_referrer') }} as page_referrer,
        {{ omnichannel.nullif_blank('param__page_title') }} as page_title,
        {{ omnichannel.nullif_blank('param__source') }} as utm_source,
        {{ omnichannel.nullif_blank('param__medium') }} as utm_medium,
        {{ omnichannel.nullif_blank('param__campaign') }} as utm_campaign,
        {{ omnichannel.nullif_blank('param__content_tag') }} as content_tag,

        -- numerics
        {{ dbt.safe_cast('param__ga_session_number', api.Column.translate_type('integer')) }}
            as ga_session_number,
        {{ dbt.safe_cast('param__engagement_time_msec', api.Column.translate_type('bigint')) }}
            as engagement_time_msec,
        {{ dbt.safe_cast('ecommerce__purchase_revenue', 'decimal(18, 2)') }} as purchase_revenue,

        -- dates and timestamps
        {{ omnichannel.parse_timestamp('event_date', '%Y%m%d') }} as event_date_at,
        {{ omnichannel.epoch_to_timestamp('event_timestamp', 'us') }} as occurred_at,
        trim(event_timestamp) as event_timestamp_us,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('user_pseudo_id') }} is not null
),

keyed as (
    select
        *,
        {{ dbt.hash(dbt.concat([
            "coalesce(stream_id, '')", "'|'", 'user_pseudo_id', "'|'", 'event_timestamp_us',
            "'|'", 'event_name', "'|'", "coalesce(ga_session_id, '')", "'|'",
            "coalesce(page_location, '')"
        ])) }} as event_id
    from renamed
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by event_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from keyed
),

final as (
    select
        event_id,
        user_pseudo_id,
        member_number,
        stream_id,
        ga_session_id,
        transaction_id,
        traffic_campaign_id,
        gclid,
        short_code,
        event_name,
        platform,
        case when platform in ('ANDROID', 'IOS') then 'app' else 'web' end as client_kind,
        device_category,
        device_operating_system,
        device_browser,
        geo_country,
        geo_city,
        traffic_campaign_name,
        traffic_source,
        traffic_medium,
        page_location,
        page_referrer,
        page_title,
        utm_source,
        utm_medium,
        utm_campaign,
        content_tag,
        ga_session_number,
        engagement_time_msec,
        purchase_revenue,
        cast(event_date_at as date) as event_date,
        occurred_at,
        _source_file,
        _row_number,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from final
