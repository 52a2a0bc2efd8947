{#-
    Every customer interaction from every channel, one row per touch, with the customer it
    belongs to: int_touchpoints_keyed (the incremental, identifier-keyed stream) resolved here
    against the CURRENT identity graph. The customer comes from the touch's identifier, else its
    fallback identifier, through int_customers_stitched; touches of erased customers are dropped;
    a store QR scan has no customer. An SMS takes the campaign of its short link (from the
    link's visits). Rebuilt in full each run: two hash joins over the stream, so when new edges
    merge customers or an erasure arrives, every touch (old ones included) carries exactly the
    customer_id a full refresh gives, with no re-resolution bookkeeping.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_keyed') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

short_link_visits as (
    select * from {{ ref('int_short_link_visits_resolved') }}
),

short_link_campaigns as (
    select distinct
        short_code,
        campaign_id
    from short_link_visits
),

resolved as (
    select
        touchpoints.*,
        coalesce(primary_customers.customer_id, fallback_customers.customer_id) as customer_id,
        coalesce(primary_customers.is_erased, fallback_customers.is_erased, false) as is_erased,
        case
            when touchpoints.source_name = 'twilio' then short_link_campaigns.campaign_id
            else touchpoints.campaign_id
        end as resolved_campaign_id
    from touchpoints
    left join customers as primary_customers
        on
            {{ omnichannel.identifier_key(
                'touchpoints.identifier_type', 'touchpoints.identifier_hash'
            ) }} = primary_customers.identifier_key
    left join customers as fallback_customers
        on
            {{ omnichannel.identifier_key(
                'touchpoints.fallback_identifier_type', 'touchpoints.fallback_identifier_hash'
            ) }} = fallback_customers.identifier_key
    left join short_link_campaigns
        on
            touchpoints.source_name = 'twilio'
            and touchpoints.short_code = short_link_campaigns.short_code
),

final as (
    select
        touchpoint_id,
        customer_id,
        source_name,
        channel,
        touch_type,
        resolved_campaign_id as campaign_id,
        cost,
        is_engaged,
        session_order_id,
        occurred_at
    from resolved
    where
        not is_erased
        and (customer_id is not null or touch_type = 'qr_scan')
)

select * from final
