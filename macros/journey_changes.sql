{#-
    Incremental journeys, per customer (int_journey_touchpoints_filtered,
    int_journey_touches_windowed, int_non_converting_paths_windowed,
    int_attribution_paths_transformed) on DuckDB, var journeys_incremental; doc
    journey_chain_incremental.

    Every row of the four models belongs to one customer and is a function of that customer's
    touches (int_touchpoints_unioned) and conversions (int_conversions_unioned) only: the
    engagement ranking is partitioned by customer, a journey joins a conversion with touches of
    its own customer, a customer's non-converting paths are the customer's touches in none of the
    customer's journeys, and a path is one conversion's journey or one of its customer's open
    windows. So each model re-derives whole customers: the pre-hook lists the affected customers
    in temp.<model>__affected (customer_id) and deletes their rows, the model's SQL reads only
    their input rows (a semi-join on the affected table), and the post-hook saves the state it
    compares with next time and appends the customers to its change log <model>__changes
    (customer_id, is_full, changed_at; the generic macros of touch_changes.sql with key
    customer_id). The next model follows that log after its own watermark, as the touch stream
    does (full rebuild when a log or state is missing, a producer rebuilt in full or pruned a run
    it has not read, or a var the model depends on changed since its last build: __settings).
    Re-deriving a customer whose input did not change yields the same rows, so a larger affected
    set costs time, never correctness.
    Spark and the var off: plain tables, no hooks; with the var off on DuckDB the post-hooks drop
    the state, so a later incremental run never compares with a state older than the table.
-#}

{#- True when the journey chain builds incrementally: DuckDB and var journeys_incremental. -#}
{% macro journey_changes_enabled() -%}
    {{ return(target.type == 'duckdb' and var('journeys_incremental')) }}
{%- endmacro %}

{#- The model's customer-level change log, <model>__changes. -#}
{% macro journey_changes_log_of(relation) -%}
    {{ return(omnichannel.touch_changes_state(relation, 'changes')) }}
{%- endmacro %}

{#-
    SQL: where clause keeping the rows of the affected customers (key: the affected table's
    column; conversion_id for the journeys mart), incremental runs only.
-#}
{% macro journey_changes_customers_filter(column='customer_id', key='customer_id') -%}
    {%- if is_incremental() -%}
        where {{ column }} in (
            select {{ key }} from {{ omnichannel.touch_changes_affected() }}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    True when the model's saved settings (__settings: the vars its rows depend on, as one
    string) equal this run's. home: the relation the state is named after (default this).
-#}
{% macro journey_changes_settings_kept(settings, home=none) -%}
    {%- set saved = omnichannel.touch_changes_state(home or this, 'settings') -%}
    {%- if not omnichannel.touch_changes_exist([saved]) -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(run_query(
        'select count(*) from ' ~ saved ~ " where settings = '" ~ settings ~ "'"
    ).columns[0].values()[0] > 0) }}
{%- endmacro %}

{#-
    True when this run can take only its producers' logged changes (and the saved state):
    incremental, every state table exists, the settings are those of the last build, and
    touch_changes_can_follow holds for the producers' logs. home: the relation the model's
    state is named after (default this; a mart keeps its state in the schema of its input).
-#}
{% macro journey_changes_can_follow(producer_logs, states=[], settings='', home=none) -%}
    {{ return(is_incremental()
        and omnichannel.touch_changes_exist(states)
        and omnichannel.journey_changes_settings_kept(settings, home)
        and omnichannel.touch_changes_can_follow(
            omnichannel.journey_changes_log_of(home or this), producer_logs)) }}
{%- endmacro %}

{#-
    Post-hook SQL shared by the journey models: save the settings, log the run's ids (key;
    log_ids false: run markers only), drop the affected table (after the model's own state SQL,
    which reads it).
-#}
{% macro journey_changes_finish(settings='', home=none, key='customer_id', log_ids=true) -%}
    {%- set full = omnichannel.touch_changes_was_full(key) -%}
    create or replace table {{ omnichannel.touch_changes_state(home or this, 'settings') }} as
    select '{{ settings }}' as settings;
    {{ omnichannel.touch_changes_log(
        omnichannel.journey_changes_log_of(home or this), full, log_ids, key) }}
{%- endmacro %}

{#- Post-hook SQL with the var off (DuckDB): drop the model's state tables. -#}
{% macro journey_changes_drop(suffixes, home=none) -%}
    {%- set relations = [] -%}
    {%- for suffix in ['changes', 'settings'] + suffixes -%}
        {%- do relations.append(omnichannel.touch_changes_state(home or this, suffix)) -%}
    {%- endfor -%}
    {{ return(omnichannel.touch_changes_drop(relations)) }}
{%- endmacro %}

{#-
    Pre-hook of a model that follows its producers' customer logs only (it keeps no state of
    its own but the log and the settings): affected are the customers any producer (a list of
    relations, each with a journey-chain log <producer>__changes) logged since this model's last
    run; a full rebuild (every customer of all_customers_sql) when it cannot follow.
-#}
{% macro journey_changes_follow_prepare(producers, all_customers_sql, settings='', home=none) -%}
    {%- if not execute or not omnichannel.journey_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set producer_logs = [] -%}
    {%- for producer in producers -%}
        {%- do producer_logs.append(omnichannel.journey_changes_log_of(producer)) -%}
    {%- endfor -%}
    {% if omnichannel.journey_changes_can_follow(producer_logs, [], settings, home) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        {{ omnichannel.touch_changes_since(
            omnichannel.journey_changes_log_of(home or this), producer_logs, 'customer_id') }};

        {{ omnichannel.touch_changes_delete_affected('customer_id') }}
    {% else %}
        {{ omnichannel.touch_changes_prepare_full(all_customers_sql, 'customer_id') }}
    {% endif %}
{%- endmacro %}

{#-
    Post-hook of such a model: log the run's customers (log_ids false: run markers only) and
    save the settings; with the var off, drop the log and settings.
-#}
{% macro journey_changes_follow_finish(settings='', home=none, log_ids=true) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.journey_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop([], home)) }}
    {%- endif -%}
    {{ omnichannel.journey_changes_finish(settings, home, 'customer_id', log_ids) }}
{%- endmacro %}

{#-
    int_journey_touchpoints_filtered, pre-hook. Affected: the old customer (this model's row)
    and the new customer (int_touchpoints_unioned) of every touch int_touchpoints_unioned
    logged since this model's last run. A touch that is not a row here (not engaged, a checkout
    session, a repeated engagement) changes no other row of its old customer: it is not the
    first of its engagement.
-#}
{% macro journey_touchpoints_filtered_prepare() -%}
    {%- if not execute or not omnichannel.journey_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set producer_logs = [omnichannel.touch_changes_state(touchpoints, 'changes')] -%}
    {% if omnichannel.journey_changes_can_follow(producer_logs) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        with
        changed_touches as (
            {{ omnichannel.touch_changes_since(
                omnichannel.journey_changes_log_of(this), producer_logs) }}
        )
        select customer_id from {{ this }}
        where touchpoint_id in (select touchpoint_id from changed_touches)
        union
        select customer_id from {{ touchpoints }}
        where
            touchpoint_id in (select touchpoint_id from changed_touches)
            and customer_id is not null;

        {{ omnichannel.touch_changes_delete_affected('customer_id') }}
    {% else %}
        {{ omnichannel.touch_changes_prepare_full(
            'select distinct customer_id from ' ~ touchpoints ~ ' where customer_id is not null',
            'customer_id') }}
    {% endif %}
{%- endmacro %}

{#- int_journey_touchpoints_filtered, post-hook: log the run's customers. -#}
{% macro journey_touchpoints_filtered_finish() -%}
    {{ return(omnichannel.journey_changes_follow_finish()) }}
{%- endmacro %}

{#-
    int_journey_touches_windowed, pre-hook. Affected: the customers
    int_journey_touchpoints_filtered logged since this model's last run, and the old and new
    customer of every conversion new, gone or changed (customer_id, converted_at) since the
    conversions this model saved (__conversions; int_conversions_unioned is a full table, so the
    two are compared whole, EXCEPT both ways).
-#}
{% macro journey_touches_windowed_prepare() -%}
    {%- if not execute or not omnichannel.journey_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set filtered = ref('int_journey_touchpoints_filtered') -%}
    {%- set saved_conversions = omnichannel.touch_changes_state(this, 'conversions') -%}
    {%- set producer_logs = [omnichannel.journey_changes_log_of(filtered)] -%}
    {% if omnichannel.journey_changes_can_follow(
        producer_logs, [saved_conversions], var('attribution_lookback_days') | string) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        with
        current_conversions as (
            select conversion_id, customer_id, converted_at
            from {{ ref('int_conversions_unioned') }}
        ),
        saved as (
            select conversion_id, customer_id, converted_at from {{ saved_conversions }}
        ),
        added as (select * from current_conversions except select * from saved),
        removed as (select * from saved except select * from current_conversions),
        changed_conversions as (
            select customer_id from added
            union
            select customer_id from removed
        )
        select customer_id from changed_conversions
        where customer_id is not null
        union
        {{ omnichannel.touch_changes_since(
            omnichannel.journey_changes_log_of(this), producer_logs, 'customer_id') }};

        {{ omnichannel.touch_changes_delete_affected('customer_id') }}
    {% else %}
        {{ omnichannel.touch_changes_prepare_full(
            'select distinct customer_id from ' ~ filtered, 'customer_id') }}
    {% endif %}
{%- endmacro %}

{#- int_journey_touches_windowed, post-hook: save the conversions, log the run's customers. -#}
{% macro journey_touches_windowed_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.journey_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop(['conversions'])) }}
    {%- endif -%}
    create or replace table {{ omnichannel.touch_changes_state(this, 'conversions') }} as
    select conversion_id, customer_id, converted_at from {{ ref('int_conversions_unioned') }};
    {{ omnichannel.journey_changes_finish(var('attribution_lookback_days') | string) }}
{%- endmacro %}

{#-
    int_non_converting_paths_windowed, pre-hook. Affected: the customers either input logged
    since this model's last run (a journey's touches are its customer's, so a customer's open
    touches depend on that customer's rows of both inputs only).
-#}
{% macro non_converting_paths_windowed_prepare() -%}
    {%- set filtered = ref('int_journey_touchpoints_filtered') -%}
    {{ return(omnichannel.journey_changes_follow_prepare(
        [filtered, ref('int_journey_touches_windowed')],
        'select distinct customer_id from ' ~ filtered,
        var('attribution_lookback_days') | string)) }}
{%- endmacro %}

{#- int_non_converting_paths_windowed, post-hook: log the run's customers. -#}
{% macro non_converting_paths_windowed_finish() -%}
    {{ return(omnichannel.journey_changes_follow_finish(
        var('attribution_lookback_days') | string)) }}
{%- endmacro %}

{#-
    int_attribution_paths_transformed, pre-hook. Affected: the customers either input logged
    since this model's last run. The model has no customer column: the paths of a customer are
    looked up in __paths (path_id, customer_id: every path the last build wrote), so a path whose
    conversion is gone, changed customer or lost its touches is deleted too.
-#}
{% macro attribution_paths_transformed_prepare() -%}
    {%- if not execute or not omnichannel.journey_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set windowed = ref('int_journey_touches_windowed') -%}
    {%- set open_paths = ref('int_non_converting_paths_windowed') -%}
    {%- set saved_paths = omnichannel.touch_changes_state(this, 'paths') -%}
    {%- set producer_logs = [
        omnichannel.journey_changes_log_of(windowed),
        omnichannel.journey_changes_log_of(open_paths),
    ] -%}
    {% if omnichannel.journey_changes_can_follow(
        producer_logs, [saved_paths], var('attribution_path_transform')) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        {{ omnichannel.touch_changes_since(
            omnichannel.journey_changes_log_of(this), producer_logs, 'customer_id') }};

        delete from {{ this }}
        where path_id in (
            select path_id from {{ saved_paths }}
            where customer_id in (
                select customer_id from {{ omnichannel.touch_changes_affected() }}
            )
        );
    {% else %}
        {{ omnichannel.touch_changes_prepare_full(
            'select customer_id from ' ~ windowed
            ~ ' union select customer_id from ' ~ open_paths, 'customer_id') }}
    {% endif %}
{%- endmacro %}

{#- int_attribution_paths_transformed, post-hook: save the paths' customers, log the run. -#}
{% macro attribution_paths_transformed_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.journey_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop(['paths'])) }}
    {%- endif -%}
    {%- set saved_paths = omnichannel.touch_changes_state(this, 'paths') -%}
    {%- set affected = omnichannel.touch_changes_affected() -%}
    {%- set full = omnichannel.touch_changes_was_full('customer_id') -%}
    {%- set only_affected = '' if full
        else 'where customer_id in (select customer_id from ' ~ affected ~ ')' -%}
    {%- set paths_sql -%}
        select distinct conversion_id as path_id, customer_id
        from {{ ref('int_journey_touches_windowed') }}
        {{ only_affected }}
        union all
        select distinct path_id, customer_id
        from {{ ref('int_non_converting_paths_windowed') }}
        {{ only_affected }}
    {%- endset -%}
    {% if full %}
        create or replace table {{ saved_paths }} as
        {{ paths_sql }};
    {% else %}
        delete from {{ saved_paths }}
        {{ only_affected }};
        insert into {{ saved_paths }}
        {{ paths_sql }};
    {% endif %}
    {{ omnichannel.journey_changes_finish(var('attribution_path_transform')) }}
{%- endmacro %}

{#-
    The state of a journeys mart (change log, settings, conversions) is kept beside its input,
    in the schema of relation (intermediate), named after the mart: the marts schema holds marts
    only.
-#}
{% macro journey_changes_mart_home(relation) -%}
    {{ return(api.Relation.create(database=relation.database, schema=relation.schema,
        identifier=this.identifier)) }}
{%- endmacro %}

{#-
    The journeys mart, pre-hook (per conversion; its rows include conversions without touches
    and without customer). Affected conversions: those new, gone or changed in any column since
    the conversions this mart saved (intermediate.journeys__conversions, EXCEPT both ways), and
    those of the customers int_journey_touches_windowed logged since this mart's last run (their
    journeys were re-derived): through this mart's own rows and the current conversions.
-#}
{% macro journeys_mart_prepare() -%}
    {%- if not execute or not omnichannel.journey_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set windowed = ref('int_journey_touches_windowed') -%}
    {%- set conversions = ref('int_conversions_unioned') -%}
    {%- set home = omnichannel.journey_changes_mart_home(windowed) -%}
    {%- set saved_conversions = omnichannel.touch_changes_state(home, 'conversions') -%}
    {%- set producer_logs = [omnichannel.journey_changes_log_of(windowed)] -%}
    {% if omnichannel.journey_changes_can_follow(
        producer_logs, [saved_conversions], var('attribution_lookback_days') | string, home) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        with
        current_conversions as (
            select * from {{ conversions }}
        ),
        saved as (
            select * from {{ saved_conversions }}
        ),
        added as (select * from current_conversions except select * from saved),
        removed as (select * from saved except select * from current_conversions),
        changed_customers as (
            {{ omnichannel.touch_changes_since(
                omnichannel.journey_changes_log_of(home), producer_logs, 'customer_id') }}
        )
        select conversion_id from added
        union
        select conversion_id from removed
        union
        select conversion_id from {{ this }}
        where customer_id in (select customer_id from changed_customers)
        union
        select conversion_id from current_conversions
        where customer_id in (select customer_id from changed_customers);

        {{ omnichannel.touch_changes_delete_affected('conversion_id') }}
    {% else %}
        {{ omnichannel.touch_changes_prepare_full(
            'select conversion_id from ' ~ conversions, 'conversion_id') }}
    {% endif %}
{%- endmacro %}

{#- The journeys mart, post-hook: save the conversions, log the run (markers only). -#}
{% macro journeys_mart_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set home = omnichannel.journey_changes_mart_home(ref('int_journey_touches_windowed')) -%}
    {%- if not omnichannel.journey_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop(['conversions'], home)) }}
    {%- endif -%}
    create or replace table {{ omnichannel.touch_changes_state(home, 'conversions') }} as
    select * from {{ ref('int_conversions_unioned') }};
    {{ omnichannel.journey_changes_finish(
        var('attribution_lookback_days') | string, home, 'conversion_id', false) }}
{%- endmacro %}

{#-
    The non_converting_journeys mart, pre-hook (per path, each of one customer). Affected: the
    customers int_non_converting_paths_windowed logged since this mart's last run.
-#}
{% macro non_converting_journeys_mart_prepare() -%}
    {%- set open_paths = ref('int_non_converting_paths_windowed') -%}
    {{ return(omnichannel.journey_changes_follow_prepare(
        [open_paths], 'select distinct customer_id from ' ~ open_paths, '',
        omnichannel.journey_changes_mart_home(open_paths))) }}
{%- endmacro %}

{#- The non_converting_journeys mart, post-hook: log the run (markers only). -#}
{% macro non_converting_journeys_mart_finish() -%}
    {{ return(omnichannel.journey_changes_follow_finish(
        '', omnichannel.journey_changes_mart_home(ref('int_non_converting_paths_windowed')),
        false)) }}
{%- endmacro %}
