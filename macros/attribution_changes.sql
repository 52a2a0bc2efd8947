{#-
    Incremental sums over paths (int_markov_transitions_counted, int_shapley_values_computed)
    on DuckDB, var journeys_incremental with var attribution_paths_relation empty; doc
    attribution_sums_incremental.

    Both models are sums over every path of int_attribution_paths_transformed (transition
    counts; path counts per channel set), and every path belongs to one customer. So each keeps
    its sum split by customer in a state table <model>__by_customer: the pre-hook deletes the
    rows of the customers int_attribution_paths_transformed logged since the model's last run
    and inserts those customers' rows again from their current paths (looked up in
    int_attribution_paths_transformed__paths, which that model's post-hook keeps current), and
    the model (a table) sums the state, which is far smaller than the paths. A customer whose
    paths did not change keeps rows equal to a recomputation, so the sums are a full rebuild's.
    The state is rebuilt from every path (and the log restarted, is_full) on its first build,
    on --full-refresh, when the state, the log or the settings are missing, or when the paths
    model was rebuilt in full or pruned a run not read (journey_changes.sql, touch_changes.sql).
    The post-hook logs the run (markers only: nothing reads these ids). Spark, the var off, or
    paths from var attribution_paths_relation (tests, benchmarks): the model computes from the
    paths directly, no state (the post-hook drops it on DuckDB).
-#}

{#- True when the attribution sums follow the paths' change log (see above). -#}
{% macro attribution_changes_enabled() -%}
    {{ return(omnichannel.journey_changes_enabled() and not var('attribution_paths_relation')) }}
{%- endmacro %}

{#- The model's per-customer state, <model>__by_customer. -#}
{% macro attribution_changes_state() -%}
    {{ return(omnichannel.touch_changes_state(this, 'by_customer')) }}
{%- endmacro %}

{#-
    Pre-hook: bring <model>__by_customer up to date. kind: 'markov' or 'shapley', the rows
    (attribution_changes_rows).
-#}
{% macro attribution_changes_prepare(kind) -%}
    {%- if not execute or not omnichannel.attribution_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set paths = ref('int_attribution_paths_transformed') -%}
    {%- set saved_paths = omnichannel.touch_changes_state(paths, 'paths') -%}
    {%- set state = omnichannel.attribution_changes_state() -%}
    {%- set own_log = omnichannel.journey_changes_log_of(this) -%}
    {%- set producer_logs = [omnichannel.journey_changes_log_of(paths)] -%}
    {% if not flags.FULL_REFRESH
        and omnichannel.touch_changes_exist([state, saved_paths])
        and omnichannel.journey_changes_settings_kept('')
        and omnichannel.touch_changes_can_follow(own_log, producer_logs) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        {{ omnichannel.touch_changes_since(own_log, producer_logs, 'customer_id') }};

        create or replace temp table {{ this.identifier }}__steps as
        select
            saved_paths.customer_id,
            steps.*
        from {{ paths }} as steps
        inner join {{ saved_paths }} as saved_paths
            on steps.path_id = saved_paths.path_id
        where saved_paths.customer_id in (
            select customer_id from {{ omnichannel.touch_changes_affected() }}
        );

        delete from {{ state }}
        where customer_id in (
            select customer_id from {{ omnichannel.touch_changes_affected() }}
        );
        insert into {{ state }}
        {{ omnichannel.attribution_changes_rows(kind, 'temp.' ~ this.identifier ~ '__steps') }};
        drop table temp.{{ this.identifier }}__steps;
    {% else %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        select cast(null as varchar) as customer_id;

        create or replace table {{ state }} as
        with
        steps as (
            select
                saved_paths.customer_id,
                paths.*
            from {{ paths }} as paths
            inner join {{ saved_paths }} as saved_paths
                on paths.path_id = saved_paths.path_id
        )
        {{ omnichannel.attribution_changes_rows(kind, 'steps') }};
    {% endif %}
{%- endmacro %}

{#- Post-hook: log the run (markers only); the var off or paths from a var: drop the state. -#}
{% macro attribution_changes_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.attribution_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop(['by_customer'])) }}
    {%- endif -%}
    {{ omnichannel.journey_changes_finish('', none, 'customer_id', false) }}
{%- endmacro %}

{#- SQL: the per-customer rows of kind ('markov' or 'shapley') over the paths in steps. -#}
{% macro attribution_changes_rows(kind, steps) -%}
    {%- if kind == 'markov' -%}
        {{ omnichannel.markov_transitions_by_customer(steps) }}
    {%- else -%}
        {{ omnichannel.shapley_channel_sets_by_customer(steps) }}
    {%- endif -%}
{%- endmacro %}

{#-
    int_markov_transitions_counted's rows per customer: (customer_id, from_state, to_state,
    transition_count) over the customer's paths in steps.
-#}
{% macro markov_transitions_by_customer(steps) -%}
    select
        steps.customer_id,
        transitions.from_state,
        transitions.to_state,
        count(*) as transition_count
    from ({{ omnichannel.path_transitions(steps) }}) as transitions
    inner join (select distinct path_id, customer_id from {{ steps }}) as steps
        on transitions.path_id = steps.path_id
    group by steps.customer_id, transitions.from_state, transitions.to_state
{%- endmacro %}

{#-
    int_shapley_values_computed's rows per customer: (customer_id, channel_set: the path's
    distinct channels, comma-separated in order, path_count, conversion_count) over the
    customer's paths in steps.
-#}
{% macro shapley_channel_sets_by_customer(steps) -%}
    select
        customer_id,
        channel_set,
        count(*) as path_count,
        sum(conversion_count) as conversion_count
    from (
        select
            customer_id,
            path_id,
            max(case when is_converting then 1 else 0 end) as conversion_count,
            {{ dbt.listagg('channel', "','", 'order by channel') }} as channel_set
        from (
            select distinct customer_id, path_id, is_converting, channel from {{ steps }}
        ) as path_channels
        group by customer_id, path_id
    ) as path_sets
    group by customer_id, channel_set
{%- endmacro %}

{#-
    int_rule_credits_computed, per customer on DuckDB (var journeys_incremental, var
    attribution_journey_touches_relation empty; doc attribution_sums_incremental). Its rows are
    per conversion, each a function of that conversion's journey touches
    (int_journey_touches_windowed) and var attribution_time_decay_half_life_days. Pre-hook:
    deletes the rows of every conversion the last build gave the customers
    int_journey_touches_windowed logged since this model's last run (__conversions:
    conversion_id, customer_id of every conversion it holds); the model re-derives those
    customers' conversions.
-#}
{% macro rule_credits_changes_enabled() -%}
    {{ return(omnichannel.journey_changes_enabled()
        and not var('attribution_journey_touches_relation')) }}
{%- endmacro %}

{% macro rule_credits_prepare() -%}
    {%- if not execute or not omnichannel.rule_credits_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set windowed = ref('int_journey_touches_windowed') -%}
    {%- set saved_conversions = omnichannel.touch_changes_state(this, 'conversions') -%}
    {%- set producer_logs = [omnichannel.journey_changes_log_of(windowed)] -%}
    {% if omnichannel.journey_changes_can_follow(producer_logs, [saved_conversions],
        var('attribution_time_decay_half_life_days') | string) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        {{ omnichannel.touch_changes_since(
            omnichannel.journey_changes_log_of(this), producer_logs, 'customer_id') }};

        delete from {{ this }}
        where conversion_id in (
            select conversion_id from {{ saved_conversions }}
            where customer_id in (
                select customer_id from {{ omnichannel.touch_changes_affected() }}
            )
        );
    {% else %}
        {{ omnichannel.touch_changes_prepare_full(
            'select distinct customer_id from ' ~ windowed, 'customer_id') }}
    {% endif %}
{%- endmacro %}

{#- int_rule_credits_computed, post-hook: save the conversions' customers, log the run. -#}
{% macro rule_credits_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.rule_credits_changes_enabled() -%}
        {{ return(omnichannel.journey_changes_drop(['conversions'])) }}
    {%- endif -%}
    {%- set windowed = ref('int_journey_touches_windowed') -%}
    {%- set saved_conversions = omnichannel.touch_changes_state(this, 'conversions') -%}
    {%- set affected = omnichannel.touch_changes_affected() -%}
    {% if omnichannel.touch_changes_was_full('customer_id') %}
        create or replace table {{ saved_conversions }} as
        select distinct conversion_id, customer_id from {{ windowed }};
    {% else %}
        delete from {{ saved_conversions }}
        where customer_id in (select customer_id from {{ affected }});
        insert into {{ saved_conversions }}
        select distinct conversion_id, customer_id from {{ windowed }}
        where customer_id in (select customer_id from {{ affected }});
    {% endif %}
    {{ omnichannel.journey_changes_finish(
        var('attribution_time_decay_half_life_days') | string, none, 'customer_id', false) }}
{%- endmacro %}
