{%- set count_type = api.Column.translate_type('bigint') -%}
{#-
    Distribution of the number of engaged touches before a conversion (journeys, within
    var attribution_lookback_days), one row per touch count: conversions, their share and the
    cumulative share, revenue, and the average days from first touch to conversion.
-#}
with

journeys as (
    select * from {{ ref('journeys') }}
),

counted as (
    select
        touch_count,
        count(*) as conversion_count,
        sum(revenue) as revenue,
        avg(days_to_convert) as average_days_to_convert
    from journeys
    group by touch_count
),

final as (
    select
        cast(touch_count as {{ count_type }}) as touch_count,
        cast(conversion_count as {{ count_type }}) as conversion_count,
        cast(conversion_count as double) / sum(conversion_count) over () as conversion_share,
        cast(
            sum(conversion_count) over (
                order by touch_count asc
                rows between unbounded preceding and current row
            ) as double
        ) / sum(conversion_count) over () as cumulative_conversion_share,
        cast(revenue as decimal(18, 2)) as revenue,
        average_days_to_convert
    from counted
)

select * from final
