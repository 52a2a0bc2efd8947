{#-
    Current customer of every identifier in the identity graph: one row per identifier_key, with
    its stable customer_id (latest row of int_customer_id_assignments) and graph component.
    is_erased marks customers one of whose identifiers is the subject of an erasure request.
-#}
with

components as (
    select * from {{ ref('int_identity_components') }}
),

assignments as (
    select * from {{ ref('int_customer_id_assignments') }}
),

erasure_requests as (
    select * from {{ ref('stg_erasure__requests') }}
),

latest_ranked as (
    select
        identifier_key,
        customer_id,
        row_number() over (
            partition by identifier_key
            order by assigned_at desc
        ) as recency_rank
    from assignments
),

identifier_customers as (
    select
        components.node as identifier_key,
        latest_ranked.customer_id,
        components.component_id
    from components
    inner join latest_ranked
        on
            components.node = latest_ranked.identifier_key
            and latest_ranked.recency_rank = 1
),

erased_keys as (
    select distinct
        {{ omnichannel.identifier_key('subject_type', 'subject_hash') }} as identifier_key
    from erasure_requests
    where subject_hash is not null
),

erased_customers as (
    select distinct identifier_customers.customer_id
    from identifier_customers
    inner join erased_keys
        on identifier_customers.identifier_key = erased_keys.identifier_key
),

final as (
    select
        identifier_customers.identifier_key,
        identifier_customers.customer_id,
        identifier_customers.component_id,
        erased_customers.customer_id is not null as is_erased
    from identifier_customers
    left join erased_customers
        on identifier_customers.customer_id = erased_customers.customer_id
)

select * from final
