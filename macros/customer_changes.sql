{#-
    Incremental per-customer summaries (int_customer_activities_summarized,
    int_customer_channel_responses; int_customer_returns_latest follows their logs) on DuckDB,
    var journeys_incremental; doc customer_summaries_incremental.

    Each row of these models belongs to one customer and aggregates that customer's touches
    (int_touchpoints_unioned rows passing the model's touch filter) and, for the activities,
    conversions (int_conversions_unioned) only. So each re-derives whole customers, as the
    journey chain does (journey_changes.sql, whose macros it reuses): the pre-hook lists the
    affected customers in temp.<model>__affected and deletes their rows, the model reads only
    their inputs, and the post-hook saves its state and logs the customers in <model>__changes.
    Affected customers:
    - the old and the new customer of every touch the touch stream logged since the model's
      last run (int_touchpoints_unioned__changes): the new one from int_touchpoints_unioned, the
      old one from the (touchpoint_id, customer_id) of the filtered touches the model's last
      build read (<model>__touches); the aggregate has no touch column to find it in. Merges,
      splits, erasures and re-delivered records move or drop touches: both sides re-derive.
    - with conversions: the old and the new customer of every conversion new, gone or changed
      in a column the model reads since those it saved (<model>__conversions, EXCEPT both ways).
    A full rebuild when the log, a state table or the settings (the vars the rows depend on)
    are missing or differ, or the touch stream was rebuilt in full or pruned a run not read.
-#}

{#- SQL: the touchpoint ids the touch stream logged since this model's last run. -#}
{% macro customer_changes_touches_since() -%}
    {{ omnichannel.touch_changes_since(
        omnichannel.journey_changes_log_of(this),
        [omnichannel.touch_changes_state(ref('int_touchpoints_unioned'), 'changes')]) }}
{%- endmacro %}

{#-
    Pre-hook. touch_filter: SQL condition on int_touchpoints_unioned naming the touches the
    model reads (customer_id is not null included); conversion_columns: the columns of
    int_conversions_unioned it reads besides conversion_id and customer_id (none: it reads no
    conversions); settings: the vars its rows depend on, as one string.
-#}
{% macro customer_changes_prepare(touch_filter, conversion_columns=none, settings='') -%}
    {%- if not execute or not omnichannel.journey_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set conversions = ref('int_conversions_unioned') if conversion_columns is not none
        else none -%}
    {%- set saved_touches = omnichannel.touch_changes_state(this, 'touches') -%}
    {%- set saved_conversions = omnichannel.touch_changes_state(this, 'conversions') -%}
    {%- set states = [saved_touches] + ([saved_conversions] if conversion_columns is not none
        else []) -%}
    {%- set producer_logs = [omnichannel.touch_changes_state(touchpoints, 'changes')] -%}
    {% if omnichannel.journey_changes_can_follow(producer_logs, states, settings) %}
        {#- the changed touches, with their current row when the model reads it (the
            post-hook saves these rows: int_touchpoints_unioned is scanned once here) -#}
        create or replace temp table {{ this.identifier }}__changed_touches as
        with
        logged as (
            {{ omnichannel.customer_changes_touches_since() }}
        ),
        changed as (
            select distinct touchpoint_id from logged
        ),
        current_rows as (
            select touchpoint_id, customer_id from {{ touchpoints }}
            where
                touchpoint_id in (select touchpoint_id from changed)
                and {{ touch_filter }}
        )
        select
            changed.touchpoint_id,
            current_rows.customer_id
        from changed
        left join current_rows
            on changed.touchpoint_id = current_rows.touchpoint_id;

        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        {% if conversion_columns is not none %}
            {%- set columns = ['conversion_id', 'customer_id'] + conversion_columns -%}
            with
            current_conversions as (
                select {{ columns | join(', ') }} from {{ conversions }}
            ),
            saved as (
                select {{ columns | join(', ') }} from {{ saved_conversions }}
            ),
            added as (select * from current_conversions except select * from saved),
            removed as (select * from saved except select * from current_conversions)
            select customer_id from added
            where customer_id is not null
            union
            select customer_id from removed
            where customer_id is not null
            union
        {% endif %}
        select customer_id from {{ saved_touches }}
        where touchpoint_id in (
            select touchpoint_id from temp.{{ this.identifier }}__changed_touches
        )
        union
        select customer_id from temp.{{ this.identifier }}__changed_touches
        where customer_id is not null;

        {{ omnichannel.touch_changes_delete_affected('customer_id') }}
    {% else %}
        {%- set all_customers -%}
            select customer_id from {{ touchpoints }} where {{ touch_filter }}
            {%- if conversion_columns is not none %}
                union
                select customer_id from {{ conversions }} where customer_id is not null
            {%- endif %}
        {%- endset -%}
        {{ omnichannel.touch_changes_prepare_full(all_customers, 'customer_id') }}
    {% endif %}
{%- endmacro %}

{#-
    Post-hook: save the filtered touches' customers (a full build: all; else the changed
    touches' rows replaced by their current rows, from the pre-hook) and the conversions, log the run's customers. Arguments as the
    pre-hook's.
-#}
{% macro customer_changes_finish(touch_filter, conversion_columns=none, settings='') -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.journey_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop(['touches', 'conversions'])) }}
    {%- endif -%}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set saved_touches = omnichannel.touch_changes_state(this, 'touches') -%}
    {%- set changed = 'temp.' ~ this.identifier ~ '__changed_touches' -%}
    {% if omnichannel.touch_changes_was_full('customer_id') %}
        create or replace table {{ saved_touches }} as
        select touchpoint_id, customer_id from {{ touchpoints }}
        where {{ touch_filter }};
    {% else %}
        delete from {{ saved_touches }}
        where touchpoint_id in (select touchpoint_id from {{ changed }});
        insert into {{ saved_touches }}
        select touchpoint_id, customer_id from {{ changed }}
        where customer_id is not null;
        drop table {{ changed }};
    {% endif %}
    {% if conversion_columns is not none %}
        create or replace table {{ omnichannel.touch_changes_state(this, 'conversions') }} as
        select {{ (['conversion_id', 'customer_id'] + conversion_columns) | join(', ') }}
        from {{ ref('int_conversions_unioned') }};
    {% endif %}
    {{ omnichannel.journey_changes_finish(settings) }}
{%- endmacro %}

{#- int_customer_activities_summarized: its touches (engaged, of a customer) and settings. -#}
{% macro customer_activities_touch_filter() -%}
    is_engaged and customer_id is not null
{%- endmacro %}

{% macro customer_activities_prepare() -%}
    {{ return(omnichannel.customer_changes_prepare(
        omnichannel.customer_activities_touch_filter(), ['converted_at', 'source'],
        var('customer_dormancy_days') | string)) }}
{%- endmacro %}

{% macro customer_activities_finish() -%}
    {{ return(omnichannel.customer_changes_finish(
        omnichannel.customer_activities_touch_filter(), ['converted_at', 'source'],
        var('customer_dormancy_days') | string)) }}
{%- endmacro %}

{#- int_customer_channel_responses: its touches (message channels, of a customer). -#}
{% macro customer_channel_responses_touch_filter() -%}
    customer_id is not null and channel in ('line', 'sms', 'email')
{%- endmacro %}

{% macro customer_channel_responses_prepare() -%}
    {{ return(omnichannel.customer_changes_prepare(
        omnichannel.customer_channel_responses_touch_filter())) }}
{%- endmacro %}

{% macro customer_channel_responses_finish() -%}
    {{ return(omnichannel.customer_changes_finish(
        omnichannel.customer_channel_responses_touch_filter())) }}
{%- endmacro %}

{#-
    int_customer_returns_latest: a row is a function of its customer's engaged touches and
    conversions (int_customer_activities_summarized's touches and conversions) and LINE / SMS /
    email sends (among int_customer_channel_responses' touches), so it follows the two
    summaries' logs, which name the old and the new customer of every such touch the touch
    stream logged and of every changed conversion: it keeps no touch state of its own. Settings:
    the dormancy gap and the send-to-return window (days).
-#}
{% macro customer_returns_settings() -%}
    {{ return(var('customer_dormancy_days') | string ~ '|'
        ~ var('message_conversion_window_days') | string) }}
{%- endmacro %}

{% macro customer_returns_prepare() -%}
    {%- set activities = ref('int_customer_activities_summarized') -%}
    {{ return(omnichannel.journey_changes_follow_prepare(
        [activities, ref('int_customer_channel_responses')],
        'select customer_id from ' ~ activities,
        omnichannel.customer_returns_settings())) }}
{%- endmacro %}

{% macro customer_returns_finish() -%}
    {{ return(omnichannel.journey_changes_follow_finish(
        omnichannel.customer_returns_settings())) }}
{%- endmacro %}
