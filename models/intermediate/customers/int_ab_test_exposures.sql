{%- set window_days = var('message_conversion_window_days') | int -%}
{#-
    One row per A/B experiment x exposed customer. Experiments are LINE campaigns whose send
    log message_type is 'variant_<arm>' (CMP-AB-001 writes variant_A / variant_B); the
    experiment id is the campaign id and exposure a delivered send. A customer who got more than
    one variant keeps the first. has_converted: an order within
    var message_conversion_window_days days after the exposure.
-#}
with

line_sends as (
    select * from {{ ref('stg_line__sends') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

variant_sends as (
    select
        customers.customer_id,
        line_sends.campaign_id as experiment_id,
        substring(line_sends.message_type, 9) as arm,
        line_sends.sent_at
    from line_sends
    inner join customers
        on
            {{ omnichannel.identifier_key(
                "'line_user_id'", omnichannel.hash_pii('line_sends.line_user_id')
            ) }} = customers.identifier_key
    where
        line_sends.is_delivered
        and line_sends.campaign_id is not null
        and substring(line_sends.message_type, 1, 8) = 'variant_'
        and not customers.is_erased
),

first_exposures as (
    select
        customer_id,
        experiment_id,
        arm,
        sent_at as exposed_at,
        row_number() over (
            partition by experiment_id, customer_id
            order by sent_at, arm
        ) as exposure_rank
    from variant_sends
),

exposures as (
    select
        customer_id,
        experiment_id,
        arm,
        exposed_at
    from first_exposures
    where exposure_rank = 1
),

converted as (
    select distinct
        exposures.experiment_id,
        exposures.customer_id
    from exposures
    inner join conversions
        on
            exposures.customer_id = conversions.customer_id
            and exposures.exposed_at < conversions.converted_at
            and {{ dbt.dateadd('day', window_days, 'exposures.exposed_at') }}
            >= conversions.converted_at
),

final as (
    select
        exposures.experiment_id,
        exposures.customer_id,
        exposures.arm,
        converted.customer_id is not null as has_converted,
        exposures.exposed_at
    from exposures
    left join converted
        on
            exposures.experiment_id = converted.experiment_id
            and exposures.customer_id = converted.customer_id
)

select * from final
