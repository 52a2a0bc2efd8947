{#-
    One row per stitched, not erased customer: how many distinct identifiers of each type they
    have, and when any of them was first and last seen in any export.
-#}
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

final as (
    select
        customer_id,
        count(distinct case when identifier_type = 'email' then identifier_key end)
            as email_count,
        count(distinct case when identifier_type = 'phone' then identifier_key end)
            as phone_count,
        count(distinct case when identifier_type = 'member_number' then identifier_key end)
            as member_number_count,
        count(distinct case when identifier_type = 'line_user_id' then identifier_key end)
            as line_user_id_count,
        count(distinct case when identifier_type = 'web_cookie' then identifier_key end)
            as web_cookie_count,
        count(distinct case when identifier_type = 'app_instance_id' then identifier_key end)
            as app_instance_id_count,
        count(distinct case when identifier_type = 'psid' then identifier_key end)
            as psid_count,
        count(distinct case when identifier_type = 'igsid' then identifier_key end)
            as igsid_count,
        count(distinct identifier_key) as identifier_count,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from customer_occurrences
    group by customer_id
)

select * from final
