-- Every edge of the identity graph joins two identifiers of the same customer; an edge whose
-- ends belong to different customers (or to none) means stitching or id assignment is broken.
with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

stitched as (
    select * from {{ ref('int_customers_stitched') }}
)

select
    edges.edge_id,
    customer_a.customer_id as customer_id_a,
    customer_b.customer_id as customer_id_b
from edges
left join stitched as customer_a
    on edges.identifier_key_a = customer_a.identifier_key
left join stitched as customer_b
    on edges.identifier_key_b = customer_b.identifier_key
where
    customer_a.customer_id is null
    or customer_b.customer_id is null
    or customer_a.customer_id <> customer_b.customer_id
