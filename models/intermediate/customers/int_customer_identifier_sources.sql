{#-
    One row per stitched, not erased customer x identifier x source it was seen in, with when it
    was first and last seen there. The one join of identifier occurrences with customers that
    customer_identifiers (the mart) and int_customer_identifiers_counted both read. Occurrences
    are aggregated per identifier and source before the join (an identifier belongs to one
    customer), so the join reads one row per identifier and source instead of every record.
-#}
with

occurrences as (
    select * from {{ ref('int_identifiers_unioned') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

identifier_sources as (
    select
        identifier_key,
        identifier_type,
        identifier_hash,
        source_name,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from occurrences
    group by identifier_key, identifier_type, identifier_hash, source_name
),

final as (
    select
        customers.customer_id,
        identifier_sources.identifier_key,
        identifier_sources.identifier_type,
        identifier_sources.identifier_hash,
        identifier_sources.source_name,
        identifier_sources.first_seen_at,
        identifier_sources.last_seen_at
    from identifier_sources
    inner join customers
        on identifier_sources.identifier_key = customers.identifier_key
    where not customers.is_erased
)

select * from final
