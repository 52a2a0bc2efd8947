{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.customer_id_assignments_prepare() }}",
    post_hook="{{ omnichannel.customer_id_assignments_finish() }}",
) }}
{#-
    Append-only history of which customer_id each identifier belongs to: a row is added when an
    identifier is first assigned or changes customer. This persisted state makes customer_id
    stable across runs:
    - a component whose members already carry customer ids keeps the oldest of them (first
      assigned earliest; ties by id), so adding unrelated data changes nobody's id;
    - when two customers merge, the members of the younger one get the older id
      (change_reason 'merge', recorded in int_customer_merges);
    - a component with no prior id gets 'cus_' + md5 of its earliest-seen identifier key;
    - when a component splits (an identifier became excluded), the part holding most members of
      the old id keeps it, the others get a new id (change_reason 'split').
    A full refresh forgets the history and assigns ids afresh.
    Incremental on DuckDB (var identity_incremental; macros/identity_tail_changes.sql): only the
    components the pre-hook lists as affected are evaluated (those holding a node whose
    component_id changed, appeared or vanished, per int_identity_components__changes, or a node
    of a customer such a node belonged to: no other component can get a row), with the prior
    ids read from the state kept beside the history (__current, __customers) instead of the
    history itself; the post-hook applies the appended rows to that state and logs their
    identifiers (__changes). It evaluates every component when it cannot follow the log; the
    var off and Spark read the history as above.
-#}
{%- set string_type = api.Column.translate_type('string') -%}
{%- set assigned_at = omnichannel.customer_id_assigned_at() -%}
{%- set follow_state = is_incremental() and omnichannel.identity_changes_enabled() -%}

with

components as (
    select * from {{ ref('int_identity_components') }}
    {% if follow_state %}
        where {{ omnichannel.identity_tail_affects('component_id') }}
    {% endif %}
),

{% if follow_state %}

    listed_nodes as (
        select distinct node as identifier_key
        from components
    ),

    -- found by key_hash (macro identity_occurrences_of_keys)
    occurrences as (
        {{ omnichannel.identity_occurrences_of_keys('listed_nodes', ['seen_at']) }}
    ),

{% else %}

    occurrences as (
        select * from {{ ref('int_identifiers_unioned') }}
    ),

{% endif %}

first_seen as (
    select
        identifier_key,
        min(seen_at) as first_seen_at
    from occurrences
    group by identifier_key
),

members as (
    select
        components.node as identifier_key,
        components.component_id,
        first_seen.first_seen_at
    from components
    left join first_seen
        on components.node = first_seen.identifier_key
),

{% if follow_state %}

    current_assignments as (
        select
            identifier_key,
            customer_id
        from {{ omnichannel.touch_changes_state(this, 'current') }}
    ),

    customer_births as (
        select
            customer_id,
            customer_created_at
        from {{ omnichannel.touch_changes_state(this, 'customers') }}
    ),

{% elif is_incremental() %}

    history as (
        select * from {{ this }}
    ),

{% else %}

    history as (
        select
            cast(null as {{ string_type }}) as identifier_key,
            cast(null as {{ string_type }}) as customer_id,
            cast(null as {{ string_type }}) as previous_customer_id,
            cast(null as {{ string_type }}) as component_id,
            cast(null as {{ string_type }}) as change_reason,
            {{ assigned_at }} as assigned_at
        from components
        where 1 = 0
    ),

{% endif %}

{% if not follow_state %}

    current_assignments as (
        {{ omnichannel.latest_customer_assignments('history') }}
    ),

    customer_births as (
        select
            customer_id,
            min(assigned_at) as customer_created_at
        from history
        group by customer_id
    ),

{% endif %}

members_with_prior as (
    select
        members.identifier_key,
        members.component_id,
        members.first_seen_at,
        current_assignments.customer_id as prior_customer_id,
        customer_births.customer_created_at as prior_customer_created_at
    from members
    left join current_assignments
        on members.identifier_key = current_assignments.identifier_key
    left join customer_births
        on current_assignments.customer_id = customer_births.customer_id
),

prior_candidates as (
    select
        component_id,
        prior_customer_id,
        prior_customer_created_at,
        count(*) as member_count
    from members_with_prior
    where prior_customer_id is not null
    group by component_id, prior_customer_id, prior_customer_created_at
),

oldest_prior_ranked as (
    select
        component_id,
        prior_customer_id,
        member_count,
        row_number() over (
            partition by component_id
            order by prior_customer_created_at, prior_customer_id
        ) as age_rank
    from prior_candidates
),

claims as (
    select
        component_id,
        prior_customer_id,
        row_number() over (
            partition by prior_customer_id
            order by member_count desc, component_id asc
        ) as claim_rank
    from oldest_prior_ranked
    where age_rank = 1
),

seed_ranked as (
    select
        component_id,
        identifier_key,
        row_number() over (
            partition by component_id
            order by first_seen_at asc nulls last, identifier_key asc
        ) as seed_rank
    from members
),

component_customers as (
    select
        seed_ranked.component_id,
        claims.claim_rank,
        claims.prior_customer_id,
        case
            when claims.claim_rank = 1 then claims.prior_customer_id
            when claims.prior_customer_id is not null
                then {{ dbt.concat(["'cus_'", "substr(" ~ dbt.hash(dbt.concat([
                    'seed_ranked.identifier_key', "'|'", 'claims.prior_customer_id'
                ])) ~ ", 1, 20)"]) }}
            else {{ dbt.concat(["'cus_'", "substr(" ~ dbt.hash('seed_ranked.identifier_key')
                ~ ", 1, 20)"]) }}
        end as customer_id
    from seed_ranked
    left join claims
        on seed_ranked.component_id = claims.component_id
    where seed_ranked.seed_rank = 1
),

new_state as (
    select
        members_with_prior.identifier_key,
        component_customers.customer_id,
        members_with_prior.prior_customer_id as previous_customer_id,
        members_with_prior.component_id,
        case
            when members_with_prior.prior_customer_id is null then 'new'
            when
                component_customers.claim_rank > 1
                and members_with_prior.prior_customer_id = component_customers.prior_customer_id
                then 'split'
            else 'merge'
        end as change_reason
    from members_with_prior
    inner join component_customers
        on members_with_prior.component_id = component_customers.component_id
),

final as (
    select
        identifier_key,
        customer_id,
        previous_customer_id,
        component_id,
        change_reason,
        {{ assigned_at }} as assigned_at
    from new_state
    where previous_customer_id is null or previous_customer_id <> customer_id
)

select * from final
