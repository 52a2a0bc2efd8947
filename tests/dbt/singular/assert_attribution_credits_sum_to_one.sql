-- Every conversion gets exactly one unit of credit under every attribution model.
with

credits as (
    select * from {{ ref('attribution_credits') }}
),

conversions as (
    select * from {{ ref('conversions') }}
),

attribution_models as (
    select distinct model from credits
),

totals as (
    select
        conversions.conversion_id,
        attribution_models.model,
        coalesce(sum(credits.credit), 0) as total_credit
    from conversions
    cross join attribution_models
    left join credits
        on
            conversions.conversion_id = credits.conversion_id
            and attribution_models.model = credits.model
    group by conversions.conversion_id, attribution_models.model
)

select * from totals
where abs(total_credit - 1) > 1e-9
