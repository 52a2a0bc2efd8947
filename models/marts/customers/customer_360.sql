{%- set count_type = api.Column.translate_type('bigint') -%}
with

identifiers as (
    select * from {{ ref('int_customer_identifiers_counted') }}
),

orders as (
    select * from {{ ref('int_customer_orders_summarized') }}
),

activities as (
    select * from {{ ref('int_customer_activities_summarized') }}
),

lifecycles as (
    select * from {{ ref('int_customer_lifecycles_staged') }}
),

rfm as (
    select * from {{ ref('int_customer_rfm_scored') }}
),

consents as (
    select * from {{ ref('int_customer_consents_latest') }}
),

channels_ranked as (
    select * from {{ ref('int_customer_channels_ranked') }}
),

interests as (
    select * from {{ ref('int_customer_interests_learned') }}
),

service_contacts as (
    select * from {{ ref('int_customer_service_contacts_latest') }}
),

consented_listed as (
    select
        customer_id,
        {{ dbt.listagg('channel', "','", 'order by channel') }} as consented_channels
    from consents
    where is_consented
    group by customer_id
),

consent_flags as (
    select
        customer_id,
        max(case when channel = 'email' and is_consented then 1 else 0 end) = 1
            as is_email_consented,
        max(case when channel = 'sms' and is_consented then 1 else 0 end) = 1
            as is_sms_consented,
        max(case when channel = 'line' and is_consented then 1 else 0 end) = 1
            as is_line_consented
    from consents
    group by customer_id
),

final as (
    select
        identifiers.customer_id,
        cast(identifiers.email_count as {{ count_type }}) as email_count,
        cast(identifiers.phone_count as {{ count_type }}) as phone_count,
        cast(identifiers.member_number_count as {{ count_type }}) as member_number_count,
        cast(identifiers.line_user_id_count as {{ count_type }}) as line_user_id_count,
        cast(identifiers.web_cookie_count as {{ count_type }}) as web_cookie_count,
        cast(identifiers.app_instance_id_count as {{ count_type }}) as app_instance_id_count,
        cast(identifiers.psid_count as {{ count_type }}) as psid_count,
        cast(identifiers.igsid_count as {{ count_type }}) as igsid_count,
        cast(identifiers.identifier_count as {{ count_type }}) as identifier_count,
        activities.engaged_channels,
        cast(coalesce(activities.engaged_channel_count, 0) as {{ count_type }})
            as engaged_channel_count,
        consented_listed.consented_channels,
        channels_ranked.preferred_channel,
        channels_ranked.cheapest_effective_channel,
        interests.interest_tags,
        service_contacts.last_service_channel,
        cast(coalesce(orders.order_count, 0) as {{ count_type }}) as order_count,
        cast(coalesce(orders.online_order_count, 0) as {{ count_type }}) as online_order_count,
        cast(coalesce(orders.store_order_count, 0) as {{ count_type }}) as store_order_count,
        cast(coalesce(orders.revenue, 0) as decimal(18, 2)) as revenue,
        orders.average_order_value,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_score,
        coalesce(rfm.rfm_segment, 'no_orders') as rfm_segment,
        coalesce(lifecycles.lifecycle_stage, 'prospect') as lifecycle_stage,
        cast(lifecycles.days_since_last_active as {{ count_type }}) as days_since_last_active,
        channels_ranked.preferred_channel_response_rate,
        channels_ranked.preferred_channel_shrunk_response_rate,
        channels_ranked.preferred_channel_lead_standard_errors,
        channels_ranked.cheapest_channel_cost_per_response,
        coalesce(activities.engaged_channel_count, 0) > 1 as is_omnichannel,
        coalesce(consent_flags.is_email_consented, false) as is_email_consented,
        coalesce(consent_flags.is_sms_consented, false) as is_sms_consented,
        coalesce(consent_flags.is_line_consented, false) as is_line_consented,
        service_contacts.is_last_service_chat_open,
        lifecycles.as_of_date,
        least(
            coalesce(identifiers.first_seen_at, activities.first_active_at),
            coalesce(activities.first_active_at, identifiers.first_seen_at)
        ) as first_seen_at,
        greatest(
            coalesce(identifiers.last_seen_at, activities.last_active_at),
            coalesce(activities.last_active_at, identifiers.last_seen_at)
        ) as last_seen_at,
        activities.first_active_at,
        activities.last_active_at,
        orders.first_order_at,
        orders.last_order_at,
        service_contacts.last_service_chat_started_at
    from identifiers
    left join orders
        on identifiers.customer_id = orders.customer_id
    left join activities
        on identifiers.customer_id = activities.customer_id
    left join lifecycles
        on identifiers.customer_id = lifecycles.customer_id
    left join rfm
        on identifiers.customer_id = rfm.customer_id
    left join consented_listed
        on identifiers.customer_id = consented_listed.customer_id
    left join consent_flags
        on identifiers.customer_id = consent_flags.customer_id
    left join channels_ranked
        on identifiers.customer_id = channels_ranked.customer_id
    left join interests
        on identifiers.customer_id = interests.customer_id
    left join service_contacts
        on identifiers.customer_id = service_contacts.customer_id
)

select * from final
