{#- One row per consent change; the subject is normalised by its type and hashed. -#}
with

source as (
    select * from {{ source('consent', 'consent') }}
),

renamed as (
    select
        -- ids
        trim(event_id) as consent_event_id,

        -- strings
        lower(trim(subject_type)) as subject_type,
        case lower(trim(subject_type))
            when 'email' then {{ omnichannel.normalize_email('subject_value') }}
            when 'phone' then {{ omnichannel.normalize_phone('subject_value') }}
            else {{ omnichannel.nullif_blank('subject_value') }}
        end as subject_normalized,
        lower(trim(channel)) as channel,
        lower(trim(status)) as consent_status,
        lower({{ omnichannel.nullif_blank('source') }}) as capture_source,

        -- timestamps
        {{ omnichannel.parse_timestamp('occurred_at') }} as occurred_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('event_id') }} is not null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by consent_event_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from renamed
)

select
    consent_event_id,
    subject_type,
    {{ omnichannel.hash_pii('subject_normalized') }} as subject_hash,
    channel,
    consent_status,
    capture_source,
    consent_status = 'granted' as is_granted,
    occurred_at,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
where delivery_rank = 1
