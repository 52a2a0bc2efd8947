{#-
    SQL: a customer's activities, what dormancy and last-active dates count: every engaged touch
    (is_engaged) and every order, with a known customer (customer_id, activity_id: the touch or
    conversion id, channel: an order's is store for POS and web otherwise, campaign_id: an
    order's is null, active_at). Read by int_customer_activities_summarized and
    int_customer_returns_latest, so the two agree on what an activity is.
-#}
{% macro customer_activities(touchpoints, conversions) -%}
    select
        customer_id,
        touchpoint_id as activity_id,
        channel,
        campaign_id,
        occurred_at as active_at
    from {{ touchpoints }}
    where is_engaged and customer_id is not null
    union all
    select
        customer_id,
        conversion_id as activity_id,
        case when source = 'pos' then 'store' else 'web' end as channel,
        cast(null as {{ api.Column.translate_type('string') }}) as campaign_id,
        converted_at as active_at
    from {{ conversions }}
    where customer_id is not null
{%- endmacro %}

{#-
    SQL: the returns among `activities` (rows of customer_activities): every activity at least
    var customer_dormancy_days after the customer's activity before it, with its columns and
    previous_active_at (when the customer went dormant). int_customer_activities_summarized
    (the latest return's date) and int_customer_returns_latest (the latest return, its channel
    and the send before it) read it, so the two agree on what a return is.
-#}
{% macro customer_returns(activities) -%}
    select
        activity_gaps.customer_id,
        activity_gaps.activity_id,
        activity_gaps.channel,
        activity_gaps.campaign_id,
        activity_gaps.active_at,
        activity_gaps.previous_active_at
    from (
        select
            customer_id,
            activity_id,
            channel,
            campaign_id,
            active_at,
            lag(active_at) over (
                partition by customer_id
                order by active_at asc, activity_id asc
            ) as previous_active_at
        from {{ activities }}
    ) as activity_gaps
    where
        activity_gaps.previous_active_at is not null
        and {{ dbt.datediff(
            'activity_gaps.previous_active_at', 'activity_gaps.active_at', 'day'
        ) }} >= {{ var('customer_dormancy_days') | int }}
{%- endmacro %}
