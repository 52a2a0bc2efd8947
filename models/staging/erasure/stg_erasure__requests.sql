{#- One row per right-to-erasure request; the subject is normalised by its type and hashed. -#}
with

source as (
    select * from {{ source('erasure', 'erasure_requests') }}
),

renamed as (
    select
        -- ids
        trim(request_id) as erasure_request_id,

        -- strings
        lower(trim(subject_type)) as subject_type,
        case lower(trim(subject_type))
            when 'email' then {{ omnichannel.normalize_email('subject_value') }}
            when 'phone' then {{ omnichannel.normalize_phone('subject_value') }}
            else {{ omnichannel.nullif_blank('subject_value') }}
        end as subject_normalized,

        -- timestamps
        {{ omnichannel.parse_timestamp('requested_at') }} as requested_at,

        -- lineage
        _source_file,
        {{ dbt.safe_cast('_row_number', api.Column.translate_type('integer')) }} as _row_number,
        {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} as _loaded_at
    from source
    where {{ omnichannel.nullif_blank('request_id') }} is not null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by erasure_request_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from renamed
)

select
    erasure_request_id,
    subject_type,
    {{ omnichannel.hash_pii('subject_normalized') }} as subject_hash,
    requested_at,
    _source_file,
    _row_number,
    _loaded_at
from deduplicated
where delivery_rank = 1
