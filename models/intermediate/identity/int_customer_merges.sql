{#-
    Customer merges and splits over time: one row per old customer_id that handed identifiers to
    another customer_id in a run. A merge retires the old id (its identifiers now belong to the
    older customer); a split leaves it alive and starts a new id for the part that broke away.
-#}
with

assignments as (
    select * from {{ ref('int_customer_id_assignments') }}
),

changes as (
    select
        previous_customer_id as old_customer_id,
        customer_id as new_customer_id,
        change_reason,
        assigned_at as merged_at,
        count(*) as identifier_count
    from assignments
    where change_reason in ('merge', 'split')
    group by previous_customer_id, customer_id, change_reason, assigned_at
),

final as (
    select
        {{ dbt.concat([
            'old_customer_id', "'>'", 'new_customer_id', "'@'",
            dbt.safe_cast('merged_at', api.Column.translate_type('string'))
        ]) }} as customer_merge_id,
        old_customer_id,
        new_customer_id,
        change_reason,
        identifier_count,
        merged_at
    from changes
)

select * from final
