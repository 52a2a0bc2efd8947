{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.identity_mart_prepare() }}",
    post_hook="{{ omnichannel.identity_mart_finish() }}",
) }}
{#-
    One row per stitched, not erased customer: how many distinct identifiers of each type they
    have, and when any of them was first and last seen in any export.
    Incremental on DuckDB (var identity_incremental; macros/identity_mart_changes.sql): a row
    aggregates one customer's rows of int_customer_identifier_sources, so only the customers
    whose rows it logged since this model's last run are deleted and aggregated again. Table on
    Spark, when identity_incremental is false, and on --full-refresh.
-#}
{%- set identifier_types = [
    'email', 'phone', 'member_number', 'line_user_id',
    'web_cookie', 'app_instance_id', 'psid', 'igsid',
] -%}
with

identifier_sources as (
    select * from {{ ref('int_customer_identifier_sources') }}
    {% if is_incremental() %}
        where {{ omnichannel.identity_tail_affects('customer_id') }}
    {% endif %}
),

{# one row per identifier first: the counts below then need no distinct per type #}
customer_identifiers as (
    select
        customer_id,
        identifier_type,
        identifier_key,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from identifier_sources
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
