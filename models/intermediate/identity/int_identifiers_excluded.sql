{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ omnichannel.identifiers_excluded_prepare() }}",
    post_hook="{{ omnichannel.identifiers_excluded_finish() }}",
) }}
{#-
    Identifiers kept out of the identity graph, one row per identifier and rule that hit it:
    - blocklist: the identifier is in seed junk_identifiers (placeholders, brand addresses);
    - degree: linked (seen in one record) to more than var identity_max_degree distinct
      identifiers of one person-level type (email, phone, member_number, line_user_id, psid,
      igsid) - a store's default phone, a shared inbox address, a kiosk cookie;
    - shared: a phone, email, web cookie or app instance linked to more than
      var identity_max_members_per_identifier distinct member numbers - a family phone or a shared
      device must not merge two members.
    Excluded identifiers stay in int_identifiers_unioned but make no edges and belong to no
    customer. Links come from int_identifier_pairs (the self-join of occurrences per record,
    done there once and incrementally): each distinct pair counts once for each of its two
    identifiers; a blocklisted identifier must occur in int_identifiers_unioned (its key,
    type:hash, is looked up there; an identifier's type and hash are the two parts of its key).
    Incremental on DuckDB (var identity_incremental; macros/identity_tail_changes.sql): only
    the identifier keys int_identifiers_unioned logged since the last run for records that make
    pairs (an identifier's pairs change only with such a record of its own), and the logged keys
    on the junk list (a blocklist hit needs an occurrence), are derived again, their old rows
    deleted by the pre-hook; the keys whose exclusion flipped go to the change log
    int_identifiers_excluded__changes (int_identity_edges follows it). The degrees of those keys
    count distinct neighbours by key_hash (int_identifier_pairs' key_hash_a and key_hash_b,
    macro key_hash), so a run reads two 8-byte columns of the pairs instead of their strings.
    A changed junk list or rule var (__settings), a log it cannot follow, --full-refresh, the
    var off and Spark rebuild it in full.
-#}

with

pairs as (
    select * from {{ ref('int_identifier_pairs') }}
    {% if is_incremental() %}
        -- every pair, with the full marker only (else the listed keys' degrees below)
        where exists (
            select 1
            from {{ omnichannel.identity_changes_temp('affected') }} as affected
            where affected.source_name is null
        )
    {% endif %}
),

junk_identifiers as (
    select * from {{ ref('junk_identifiers') }}
),

junk_hashed as (
    select
        identifier_type,
        {{ omnichannel.junk_identifier_hash() }} as identifier_hash,
        reason
    from junk_identifiers
),

junk_keyed as (
    select
        {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }} as identifier_key,
        identifier_type,
        identifier_hash,
        reason
    from junk_hashed
    {% if is_incremental() %}
        where
            {{ omnichannel.identity_tail_affects(
                omnichannel.identifier_key('identifier_type', 'identifier_hash')) }}
    {% endif %}
),

-- the junk identifiers that occur: the occurrences are read for those few keys only (reading
-- the affected keys' occurrences cost 4.6 s at 1M customers, most of this model's run)
occurring_junk as (
    select distinct occurrences.identifier_key
    from {{ ref('int_identifiers_unioned') }} as occurrences
    where occurrences.identifier_key in (select junk_keyed.identifier_key from junk_keyed)
),

blocklisted as (
    select distinct
        junk_keyed.identifier_key,
        junk_keyed.identifier_type,
        junk_keyed.identifier_hash,
        'blocklist' as exclusion_rule,
        cast(null as {{ api.Column.translate_type('bigint') }}) as linked_count,
        junk_keyed.reason as exclusion_reason
    from junk_keyed
    inner join occurring_junk
        on junk_keyed.identifier_key = occurring_junk.identifier_key
),

linked_pairs as (
    select distinct
        identifier_key_a,
        identifier_type_a,
        identifier_key_b,
        identifier_type_b
    from pairs
),

-- each distinct pair once per direction: one row per identifier and distinct neighbour
neighbours as (
    select
        identifier_key_a as identifier_key,
        identifier_type_a as identifier_type,
        identifier_type_b as neighbour_type
    from linked_pairs
    union all
    select
        identifier_key_b as identifier_key,
        identifier_type_b as identifier_type,
        identifier_type_a as neighbour_type
    from linked_pairs
),

degrees_all as (
    select
        identifier_key,
        identifier_type,
        neighbour_type,
        count(*) as linked_count
    from neighbours
    group by identifier_key, identifier_type, neighbour_type
),

{% if is_incremental() %}

    listed_keys as (
        select
            affected_keys.identifier_key,
            {{ omnichannel.key_hash('affected_keys.identifier_key') }} as key_hash
        from ({{ omnichannel.identity_affected_keys() }}) as affected_keys
    ),

    -- each pair of a listed key once per listed end, found by key_hash and the neighbour
    -- counted by its key_hash: the strings of the pairs are not read (they fall in nearly
    -- every block of the table; singular test assert_key_hashes_unique)
    listed_ends as (
        select
            listed_keys.identifier_key,
            pairs.identifier_type_a as identifier_type,
            pairs.key_hash_b as neighbour_hash,
            pairs.identifier_type_b as neighbour_type
        from {{ ref('int_identifier_pairs') }} as pairs
        inner join listed_keys
            on pairs.key_hash_a = listed_keys.key_hash
        union all
        select
            listed_keys.identifier_key,
            pairs.identifier_type_b as identifier_type,
            pairs.key_hash_a as neighbour_hash,
            pairs.identifier_type_a as neighbour_type
        from {{ ref('int_identifier_pairs') }} as pairs
        inner join listed_keys
            on pairs.key_hash_b = listed_keys.key_hash
    ),

    degrees_listed as (
        select
            identifier_key,
            identifier_type,
            neighbour_type,
            count(distinct neighbour_hash) as linked_count
        from listed_ends
        group by identifier_key, identifier_type, neighbour_type
    ),

    degrees as (
        select * from degrees_listed
        union all
        select * from degrees_all
    ),

{% else %}

    degrees as (
        select * from degrees_all
    ),

{% endif %}

over_degree as (
    select
        identifier_key,
        identifier_type,
        'degree' as exclusion_rule,
        linked_count,
        {{ dbt.concat([
            "'linked to '", dbt.safe_cast('linked_count', api.Column.translate_type('string')),
            "' distinct '", 'neighbour_type',
            "' identifiers (identity_max_degree = " ~ var('identity_max_degree') ~ ")'"
        ]) }} as exclusion_reason
    from degrees
    where
        neighbour_type in (
            'email', 'phone', 'member_number', 'line_user_id', 'psid', 'igsid'
        )
        and linked_count > {{ var('identity_max_degree') }}
),

shared_by_members as (
    select
        identifier_key,
        identifier_type,
        'shared' as exclusion_rule,
        linked_count,
        {{ dbt.concat([
            "'shared by '", dbt.safe_cast('linked_count', api.Column.translate_type('string')),
            "' member numbers (identity_max_members_per_identifier = "
            ~ var('identity_max_members_per_identifier') ~ ")'"
        ]) }} as exclusion_reason
    from degrees
    where
        identifier_type in ('phone', 'email', 'web_cookie', 'app_instance_id')
        and neighbour_type = 'member_number'
        and linked_count > {{ var('identity_max_members_per_identifier') }}
),

linked_hits as (
    select * from over_degree
    union all
    select * from shared_by_members
),

-- the hash of each identifier a degree rule hit: the part of its key after the type
linked_hits_hashed as (
    select
        identifier_key,
        identifier_type,
        {{ dbt.split_part('identifier_key', "':'", 2) }} as identifier_hash,
        exclusion_rule,
        linked_count,
        exclusion_reason
    from linked_hits
),

hits as (
    select * from blocklisted
    union all
    select * from linked_hits_hashed
),

final as (
    select
        identifier_key,
        identifier_type,
        identifier_hash,
        exclusion_rule,
        max(linked_count) as linked_count,
        max(exclusion_reason) as exclusion_reason
    from hits
    group by identifier_key, identifier_type, identifier_hash, exclusion_rule
)

select * from final
