{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key='send_id',
) }}
{#- One row per LINE message sent to one user (push or one recipient of a multicast). -#}
with

source as (
    select * from {{ source('line', 'line_send_log') }}
    {{ omnichannel.new_deliveries_only() }}
),

renamed as (
    select
        -- ids
        trim(request_id) as request_id,
        trim(line_user_id) as line_user_id,
        {{ omnichannel.nullif_blank('campaign_id') }} as campaign_id,
        {{ omnichannel.nullif_blank('short_code') }} as short_code,

        -- strings
        {{ omnichannel.nullif_blank('message_type') }} as message_type,
        {{ omnichannel.nullif_blank('content_tags') }} as content_tags,
        lower(trim(status)) as send_status,
        {{ omnichannel.nullif_blank('error_code') }} as error_code,
        upper({{ omnichannel.nullif_blank('currency') }}) as currency,

        -- numerics
        {{ dbt.safe_cast('unit_cost', 'decimal(18, 4)') }} as unit_cost,

        -- timestamps
        {{ omnichannel.parse_timestamp('sent_at') }} as sent_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where
        {{ omnichannel.nullif_blank('request_id') }} is not null
        and {{ omnichannel.nullif_blank('line_user_id') }} is not null
),

deduplicated as (
    select
        *,
        {{ dbt.concat(['request_id', "'-'", 'line_user_id']) }} as send_id,
        row_number() over (
            partition by request_id, line_user_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from renamed
)

select
    send_id,
    request_id,
    line_user_id,
    campaign_id,
    short_code,
    message_type,
    content_tags,
    send_status,
    error_code,
    currency,
    unit_cost,
    send_status = 'delivered' as is_delivered,
    sent_at,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
where delivery_rank = 1
