{#-
    The customer's identifiers: one row per customer_id x identifier_type x identifier_hash
    (salted), with the sources it was seen in and when. Customers with an erasure request are
    left out; excluded (junk, shared) identifiers belong to no customer.
-#}
with

occurrences as (
    select * from {{ ref('int_identifiers_unioned') }}
),

stitched as (
    select * from {{ ref('int_customers_stitched') }}
),

customer_occurrences as (
    select
        stitched.customer_id,
        occurrences.identifier_type,
        occurrences.identifier_hash,
        occurrences.source_name,
        occurrences.seen_at
    from occurrences
    inner join stitched
        on occurrences.identifier_key = stitched.identifier_key
    where not stitched.is_erased
),

identifier_sources as (
    select
        customer_id,
        identifier_type,
        identifier_hash,
        source_name,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from customer_occurrences
    group by customer_id, identifier_type, identifier_hash, source_name
),

final as (
    select
        customer_id,
        identifier_type,
        identifier_hash,
        {{ dbt.listagg('source_name', "','", 'order by source_name') }} as sources,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from identifier_sources
    group by customer_id, identifier_type, identifier_hash
)

select * from final
