{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ omnichannel.customers_stitched_prepare() }}",
    post_hook="{{ omnichannel.identity_changes_finish("
        ~ "logged_as='key', temp_suffixes=['affected', 'erased_now']) }}",
) }}
{#-
    Current customer of every identifier in the identity graph: one row per identifier_key, with
    its stable customer_id (latest row of int_customer_id_assignments) and graph component.
    is_erased marks customers one of whose identifiers is the subject of an erasure request.
    Incremental on DuckDB (var identity_incremental; macros/identity_tail_changes.sql): only the
    identifiers whose component_id (int_identity_components__changes) or customer
    (int_customer_id_assignments__changes) changed since the last run, and every identifier of a
    customer whose erasure state changed, are derived again, their customer read from
    int_customer_id_assignments__current; the erasure requests (a view) are read whole every
    run. A log it cannot follow, --full-refresh, the var off and Spark rebuild it in full.
-#}
{%- set follow_state = is_incremental() and omnichannel.identity_changes_enabled() %}

with

components as (
    select * from {{ ref('int_identity_components') }}
    {% if follow_state %}
        where {{ omnichannel.identity_tail_affects('node') }}
    {% endif %}
),

{% if follow_state %}

    current_assignments as (
        select
            identifier_key,
            customer_id
        from {{ omnichannel.touch_changes_state(ref('int_customer_id_assignments'), 'current') }}
    ),

    erased_customers as (
        select customer_id
        from {{ omnichannel.identity_changes_temp('erased_now') }}
    ),

{% else %}

    erasure_requests as (
        select * from {{ ref('stg_erasure__requests') }}
    ),

    current_assignments as (
        {{ omnichannel.latest_customer_assignments(ref('int_customer_id_assignments')) }}
    ),

{% endif %}

identifier_customers as (
    select
        components.node as identifier_key,
        current_assignments.customer_id,
        components.component_id
    from components
    inner join current_assignments
        on components.node = current_assignments.identifier_key
),

{% if not follow_state %}

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

{% endif %}

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
