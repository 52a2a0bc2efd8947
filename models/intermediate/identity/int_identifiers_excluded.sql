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
    customer.
-#}

with

occurrences as (
    select * from {{ ref('int_identifiers_unioned') }}
),

junk_identifiers as (
    select * from {{ ref('junk_identifiers') }}
),

junk_hashed as (
    select
        identifier_type,
        case identifier_type
            when
                'email'
                then {{ omnichannel.hash_pii(omnichannel.normalize_email('identifier_value')) }}
            when
                'phone'
                then {{ omnichannel.hash_pii(omnichannel.normalize_phone('identifier_value')) }}
            else {{ omnichannel.hash_pii('trim(identifier_value)') }}
        end as identifier_hash,
        reason
    from junk_identifiers
),

identifiers as (
    select distinct
        identifier_key,
        identifier_type,
        identifier_hash
    from occurrences
),

blocklisted as (
    select
        identifiers.identifier_key,
        identifiers.identifier_type,
        identifiers.identifier_hash,
        'blocklist' as exclusion_rule,
        cast(null as {{ api.Column.translate_type('bigint') }}) as linked_count,
        junk_hashed.reason as exclusion_reason
    from identifiers
    inner join junk_hashed
        on
            identifiers.identifier_type = junk_hashed.identifier_type
            and identifiers.identifier_hash = junk_hashed.identifier_hash
),

co_occurrences as (
    select distinct
        occurrence.identifier_key,
        occurrence.identifier_type,
        occurrence.identifier_hash,
        neighbour.identifier_key as neighbour_key,
        neighbour.identifier_type as neighbour_type
    from occurrences as occurrence
    inner join occurrences as neighbour
        on
            occurrence.source_name = neighbour.source_name
            and occurrence.record_key = neighbour.record_key
            and occurrence.identifier_key <> neighbour.identifier_key
),

degrees as (
    select
        identifier_key,
        identifier_type,
        identifier_hash,
        neighbour_type,
        count(*) as linked_count
    from co_occurrences
    group by identifier_key, identifier_type, identifier_hash, neighbour_type
),

over_degree as (
    select
        identifier_key,
        identifier_type,
        identifier_hash,
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
        identifier_hash,
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

hits as (
    select * from blocklisted
    union all
    select * from over_degree
    union all
    select * from shared_by_members
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
