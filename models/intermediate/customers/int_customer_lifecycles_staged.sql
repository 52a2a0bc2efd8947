{%- set as_of = var('customer_as_of_date') | string -%}
{%- if as_of | length > 0 -%}
    {%- set as_of_expression = "max(cast('" ~ as_of ~ "' as date))" -%}
{%- else -%}
    {%- set as_of_expression = 'cast(max(last_active_at) as date)' -%}
{%- endif -%}
{%- set new_days = var('customer_new_days') | int -%}
{%- set at_risk_days = var('customer_at_risk_days') | int -%}
{%- set dormancy_days = var('customer_dormancy_days') | int -%}
{#-
    Lifecycle stage of every customer who ever acted, measured in whole calendar days at the
    as-of date (var customer_as_of_date; empty = the day of the latest activity in the data).
    First matching rule wins:
      dormant      no activity for >= customer_dormancy_days;
      reactivated  returned after such a gap, < customer_dormancy_days ago;
      new          first activity < customer_new_days ago;
      at_risk      no activity for >= customer_at_risk_days;
      active       otherwise.
    Customers who never acted are 'prospect' in customer_360 (no row here).
-#}
with

activities as (
    select * from {{ ref('int_customer_activities_summarized') }}
),

as_of as (
    select {{ as_of_expression }} as as_of_date
    from activities
),

measured as (
    select
        activities.customer_id,
        as_of.as_of_date,
        {{ dbt.datediff('cast(activities.first_active_at as date)', 'as_of.as_of_date', 'day') }}
            as days_since_first_active,
        {{ dbt.datediff('cast(activities.last_active_at as date)', 'as_of.as_of_date', 'day') }}
            as days_since_last_active,
        {{ dbt.datediff('cast(activities.last_returned_at as date)', 'as_of.as_of_date', 'day') }}
            as days_since_returned
    from activities
    cross join as_of
),

final as (
    select
        customer_id,
        case
            when days_since_last_active >= {{ dormancy_days }} then 'dormant'
            when days_since_returned < {{ dormancy_days }} then 'reactivated'
            when days_since_first_active < {{ new_days }} then 'new'
            when days_since_last_active >= {{ at_risk_days }} then 'at_risk'
            else 'active'
        end as lifecycle_stage,
        days_since_first_active,
        days_since_last_active,
        as_of_date
    from measured
)

select * from final
