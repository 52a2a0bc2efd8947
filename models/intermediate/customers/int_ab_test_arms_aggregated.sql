{#- One row per A/B experiment x arm: exposed and converted customers. -#}
with

exposures as (
    select * from {{ ref('int_ab_test_exposures') }}
),

final as (
    select
        experiment_id,
        arm,
        count(*) as exposed_count,
        sum(case when has_converted then 1 else 0 end) as converted_count
    from exposures
    group by experiment_id, arm
)

select * from final
