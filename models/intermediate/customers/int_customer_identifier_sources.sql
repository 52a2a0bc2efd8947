{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.customer_identifier_sources_prepare() }}",
    post_hook="{{ omnichannel.customer_identifier_sources_finish() }}",
) }}
{#-
    One row per stitched, not erased customer x identifier x source it was seen in, with when it
    was first and last seen there. The one join of identifier occurrences with customers that
    customer_identifiers (the mart) and int_customer_identifiers_counted both read. Occurrences
    are aggregated per identifier key and source before the join (an identifier belongs to one
    customer), so the join reads one row per identifier and source instead of every record
    (4.5M occurrences -> 1.0M rows at 100k customers); type and hash are read back from the key.
    Incremental on DuckDB (var identity_incremental; macros/identity_mart_changes.sql): a row
    is a function of its identifier's occurrences and of its (customer_id, is_erased). The
    pre-hook deletes, and this SQL derives again, the rows of the identifier keys
    int_identifiers_unioned (occurrences replaced) or int_customers_stitched (keys derived
    again: merges, splits, exclusions, erasures, new identifiers) logged since this model's last
    run; every other row would come out of a full refresh unchanged. The post-hook logs those
    keys and the customers whose rows were deleted or inserted, which customer_identifiers and
    int_customer_identifiers_counted aggregate again. Table on Spark, when identity_incremental
    is false, and on --full-refresh.
-#}
with

{% if is_incremental() %}

    listed_keys as (
        {{ omnichannel.identity_affected_keys() }}
    ),

    -- found by key_hash (macro identity_occurrences_of_keys): 0.05 s against 0.3 s on the key
    -- at 100k customers
    occurrences as (
        {{ omnichannel.identity_occurrences_of_keys('listed_keys', ['source_name', 'seen_at']) }}
    ),

{% else %}

    occurrences as (
        select * from {{ ref('int_identifiers_unioned') }}
    ),

{% endif %}

customers as (
    select * from {{ ref('int_customers_stitched') }}
    {% if is_incremental() %}
        where identifier_key in (
            select record_key from {{ omnichannel.identity_changes_temp('affected') }}
        )
    {% endif %}
),

identifier_sources as (
    select
        identifier_key,
        source_name,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from occurrences
    group by identifier_key, source_name
),

final as (
    select
        customers.customer_id,
        identifier_sources.identifier_key,
        {# the key is '<type>:<hash>' (omnichannel.identifier_key); a hash holds no ':' #}
        {{ dbt.split_part('identifier_sources.identifier_key', "':'", 1) }} as identifier_type,
        {{ dbt.split_part('identifier_sources.identifier_key', "':'", 2) }} as identifier_hash,
        identifier_sources.source_name,
        identifier_sources.first_seen_at,
        identifier_sources.last_seen_at
    from identifier_sources
    inner join customers
        on identifier_sources.identifier_key = customers.identifier_key
    where not customers.is_erased
)

select * from final
