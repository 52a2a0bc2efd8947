{%- set confidence_z = var('ab_test_confidence_z') -%}
{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    A/B readout, one row per experiment x arm. The control is the first arm alphabetically (A);
    each other arm is tested against it with a two-proportion z-test: pooled rate
    p = (x1 + x2) / (n1 + n2), z = (p2 - p1) / sqrt(p (1 - p) (1 / n1 + 1 / n2)), two-sided
    p-value 2 (1 - Phi(|z|)) with Phi from macro normal_cdf (Abramowitz-Stegun 7.1.26), and a
    confidence interval on the rate difference p2 - p1 +/- z_conf * sqrt(p1 (1 - p1) / n1 +
    p2 (1 - p2) / n2) (unpooled; z_conf var ab_test_confidence_z). Statistics are rounded to 6
    decimals and null on the control row.
-#}
with

arms as (
    select * from {{ ref('int_ab_test_arms_aggregated') }}
),

rated as (
    select
        experiment_id,
        arm,
        exposed_count,
        converted_count,
        cast(converted_count as double) / nullif(exposed_count, 0) as conversion_rate,
        row_number() over (partition by experiment_id order by arm) as arm_rank
    from arms
),

compared as (
    select
        treatment.experiment_id,
        treatment.arm,
        treatment.exposed_count,
        treatment.converted_count,
        treatment.conversion_rate,
        treatment.arm_rank = 1 as is_control,
        control.arm as control_arm,
        control.conversion_rate as control_conversion_rate,
        cast(treatment.converted_count + control.converted_count as double)
        / (treatment.exposed_count + control.exposed_count) as pooled_rate,
        sqrt(
            control.conversion_rate * (1 - control.conversion_rate) / control.exposed_count
            + treatment.conversion_rate * (1 - treatment.conversion_rate)
            / treatment.exposed_count
        ) as unpooled_standard_error,
        1.0 / control.exposed_count + 1.0 / treatment.exposed_count as inverse_size_sum
    from rated as treatment
    inner join rated as control
        on
            treatment.experiment_id = control.experiment_id
            and control.arm_rank = 1
),

tested as (
    select
        *,
        case
            when not is_control
                then
                    (conversion_rate - control_conversion_rate)
                    / nullif(sqrt(pooled_rate * (1 - pooled_rate) * inverse_size_sum), 0)
        end as z_score
    from compared
),

final as (
    select
        experiment_id,
        arm,
        control_arm,
        cast(exposed_count as {{ count_type }}) as exposed_count,
        cast(converted_count as {{ count_type }}) as converted_count,
        round(conversion_rate, 6) as conversion_rate,
        case
            when not is_control then round(conversion_rate - control_conversion_rate, 6)
        end as absolute_lift,
        case
            when not is_control
                then
                    round(
                        (conversion_rate - control_conversion_rate)
                        / nullif(control_conversion_rate, 0),
                        6
                    )
        end as relative_lift,
        round(z_score, 6) as z_score,
        round(2 * (1 - {{ omnichannel.normal_cdf('abs(z_score)') }}), 6) as p_value,
        case
            when not is_control
                then
                    round(
                        conversion_rate - control_conversion_rate
                        - {{ confidence_z }} * unpooled_standard_error,
                        6
                    )
        end as lift_ci_lower,
        case
            when not is_control
                then
                    round(
                        conversion_rate - control_conversion_rate
                        + {{ confidence_z }} * unpooled_standard_error,
                        6
                    )
        end as lift_ci_upper,
        is_control
    from tested
)

select * from final
