{#-
    The customer's identifiers: one row per customer_id x identifier_type x identifier_hash
    (salted), with the sources it was seen in and when. Customers with an erasure request are
    left out; excluded (junk, shared) identifiers belong to no customer.
-#}
with

identifier_sources as (
    select * from {{ ref('int_customer_identifier_sources') }}
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
