{{ config(
    materialized='incremental' if omnichannel.touch_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.touchpoints_unioned_prepare() }}",
    post_hook="{{ omnichannel.touchpoints_unioned_finish() }}",
) }}
{#-
    Every customer interaction from every channel, one row per touch, with the customer it
    belongs to: int_touchpoints_keyed (the incremental, identifier-keyed stream) resolved here
    against the CURRENT identity graph. The customer comes from the touch's identifier, else its
    fallback identifier, through int_customers_stitched; touches of erased customers are dropped;
    a store QR scan has no customer. An SMS takes the campaign of its short link (from the
    link's visits).
    Incremental on DuckDB (var touchpoints_incremental; macros/touch_changes.sql): a row is a
    function of its keyed touch, the (customer_id, is_erased) of its two identifiers and, for an
    SMS, its short link's campaigns. The pre-hook deletes and this SQL re-derives every touch
    for which one of those can differ from the last build: keyed touches new, changed or gone
    on the days int_touchpoints_keyed can re-derive (compared with the keyed rows of those
    days the last build saved, __keyed_window); touches whose identifier or fallback identifier
    can now map to another customer or erasure state (the keys int_customers_stitched logged
    since this model's last run: merges, splits, newly excluded or erased identifiers,
    identifiers that now resolve; without that log, the keys whose row differs from the map the
    last build saved, __identifiers); SMS whose short link's
    campaigns differ from the saved ones (__short_links). Every other row would come out of a
    full refresh unchanged, so the table equals a full refresh's. The ids it re-derived or
    deleted go to __changes for int_touch_consents_checked and the touchpoints mart.
    --full-refresh, the var off and Spark rebuild in full (doc touch_stream_incremental).
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_keyed') }}
    {% if is_incremental() %}
        where touchpoint_id in (
            select touchpoint_id from {{ omnichannel.touch_changes_affected() }}
        )
    {% endif %}
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
