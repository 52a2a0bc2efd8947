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
