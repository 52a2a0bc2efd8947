{#-
    One row per stitched, not erased customer: how many distinct identifiers of each type they
    have, and when any of them was first and last seen in any export.
-#}
{%- set identifier_types = [
    'email', 'phone', 'member_number', 'line_user_id',
    'web_cookie', 'app_instance_id', 'psid', 'igsid',
] -%}
with

occurrences as (
    select * from {{ ref('int_identifiers_unioned') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

customer_occurrences as (
    select
        customers.customer_id,
        occurrences.identifier_type,
        occurrences.identifier_key,
        occurrences.seen_at
    from occurrences
    inner join customers
        on occurrences.identifier_key = customers.identifier_key
    where not customers.is_erased
),

{# one row per identifier first: the counts below then need no distinct per type #}
customer_identifiers as (
    select
        customer_id,
        identifier_type,
        identifier_key,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from customer_occurrences
    group by customer_id, identifier_type, identifier_key
),

final as (
    select
        customer_id,
        {%- for identifier_type in identifier_types %}
            count(
                case when identifier_type = '{{ identifier_type }}' then identifier_key end
            ) as {{ identifier_type }}_count,
        {%- endfor %}
        count(identifier_key) as identifier_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from customer_identifiers
    group by customer_id
)

select * from final
