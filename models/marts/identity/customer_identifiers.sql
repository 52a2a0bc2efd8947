{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.identity_mart_prepare() }}",
    post_hook="{{ omnichannel.identity_mart_finish() }}",
) }}
{#-
    The customer's identifiers: one row per customer_id x identifier_type x identifier_hash
    (salted), with the sources it was seen in and when. Customers with an erasure request are
    left out; excluded (junk, shared) identifiers belong to no customer.
    Incremental on DuckDB (var identity_incremental; macros/identity_mart_changes.sql): a row
    aggregates rows of one customer of int_customer_identifier_sources, so only the customers
    whose rows it logged since this mart's last run are deleted and aggregated again (its log,
    customer_identifiers__changes, is kept beside int_customer_identifier_sources). Table on
    Spark, when identity_incremental is false, and on --full-refresh.
-#}
with

identifier_sources as (
    select * from {{ ref('int_customer_identifier_sources') }}
    {% if is_incremental() %}
        where {{ omnichannel.identity_tail_affects('customer_id') }}
    {% endif %}
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
