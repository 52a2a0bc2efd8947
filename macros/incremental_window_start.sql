{#-
    Start of the reprocessing window of an incremental model, as a SQL timestamp literal
    (midnight UTC), then moved extra_days earlier. Empty table: 1900-01-01. Only call it inside
    `is_incremental()`; at parse time (no database) it returns the same 1900 literal.

    The window is bounded by var incremental_lookback_days before the latest value of
    date_column already in the model's table: late rows dated earlier wait for a
    `--full-refresh`. Within that bound, when `sources` is given (the staging models the model
    derives from, each as (model name, timestamp column)) and var incremental_window_from_new_data
    is true, the window starts only at the day before the earliest day of the rows those sources
    staged since this model's last build (the day before: a session or chat started that day can
    run into it). So a daily run re-derives the days its new data touches, not a fixed number of
    days. Since when is "since": the largest _loaded_at of each source at the model's last build,
    kept in <model>__watermarks beside the model by omnichannel.record_incremental_watermarks
    (the model's post-hook). No new row in any source: the window starts after the latest day (nothing
    to re-derive). No watermark yet (a warehouse built before this existed) or on Spark: the whole
    lookback, as before.
-#}
{% macro incremental_window_start(date_column, extra_days=0, sources=none) -%}
    {%- set start = omnichannel._window_start_days(
        date_column, [{'name': 'all', 'sources': sources or [], 'day_before': true}]
    )['all'] -%}
    {%- if start is none -%}
        {{ return("cast('1900-01-01 00:00:00' as timestamp)") }}
    {%- endif -%}
    {%- set start = start - modules.datetime.timedelta(days=extra_days | int) -%}
    {{ return("cast('" ~ start.isoformat() ~ " 00:00:00' as timestamp)") }}
{%- endmacro %}


{% macro _as_date(value) -%}
    {%- if value is string -%}
        {{ return(modules.datetime.date.fromisoformat(value[:10])) }}
    {%- elif value is not none and value.date is defined -%}
        {{ return(value.date()) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#-
    {source model: SQL timestamp literal} of the watermarks this model recorded at its last
    build (<model>__watermarks: the source's largest _loaded_at then; 1900-01-01 when it held
    no row), or none when the table does not exist yet. One query. Literals, not subqueries:
    zone maps then skip the source's row groups loaded before them.
-#}
{% macro _recorded_watermarks() -%}
    {%- set relation = omnichannel._watermarks_relation() -%}
    {%- set watermarks = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) -%}
    {%- if watermarks is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set recorded = {} -%}
    {%- for source_model, loaded_through in run_query(
        'select source_model, cast(max(loaded_through) as varchar) from ' ~ watermarks
        ~ ' group by source_model'
    ).rows -%}
        {%- do recorded.update({source_model: "cast('"
            ~ (loaded_through or '1900-01-01 00:00:00') ~ "' as timestamp)"}) -%}
    {%- endfor -%}
    {{ return(recorded) }}
{%- endmacro %}


{#-
    {known, days}: known is false when a source has no watermark for this model (never
    recorded); else days maps each source model to the earliest date of the rows it staged
    after its watermark (none when it staged none). One query for all the sources.
-#}
{% macro _new_data_earliest_days(sources) -%}
    {%- set recorded = omnichannel._recorded_watermarks() -%}
    {%- if recorded is none -%}
        {{ return({'known': false, 'days': {}}) }}
    {%- endif -%}
    {%- for source_model, _ in sources if source_model not in recorded -%}
        {{ return({'known': false, 'days': {}}) }}
    {%- endfor -%}
    {%- set query -%}
        {%- for source_model, timestamp_column in sources %}
            select
                '{{ source_model }}' as source_model,
                min(cast({{ timestamp_column }} as date)) as earliest_day
            from {{ ref(source_model) }}
            where _loaded_at > {{ recorded[source_model] }}
            {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    {%- endset -%}
    {%- set days = {} -%}
    {%- for row in run_query(query).rows -%}
        {%- do days.update({row[0]: omnichannel._as_date(row[1])}) -%}
    {%- endfor -%}
    {{ return({'known': true, 'days': days}) }}
{%- endmacro %}


{#-
    Per group of rows of one incremental model, the start of its reprocessing window (a SQL
    timestamp literal), as incremental_window_start gives it but from each group's own sources:
    a group re-derives from the earliest day of the rows its sources staged since the model's
    last build (the day before it when day_before: a session or chat started that day can run
    into it), or after the latest day when they staged none; never further back than var
    incremental_lookback_days before the latest date_column of the model. So one source's late
    rows do not re-derive every other source's days. Groups: list of {name, sources ((model,
    timestamp column) pairs), day_before}; returns {name: literal}. Without watermarks, on Spark
    or with var incremental_window_from_new_data off, every group gets the whole lookback (the
    same window: Spark overwrites whole day partitions). Two queries, whatever the groups.
-#}
{% macro incremental_window_starts(date_column, groups) -%}
    {%- set starts = {} -%}
    {%- for name, start in omnichannel._window_start_days(date_column, groups).items() -%}
        {%- set day = start.isoformat() if start is not none else '1900-01-01' -%}
        {%- do starts.update({name: "cast('" ~ day ~ " 00:00:00' as timestamp)"}) -%}
    {%- endfor -%}
    {{ return(starts) }}
{%- endmacro %}


{#-
    {group name: first day of its window}, or none for every group when the model's table is
    empty or at parse time (no database): the rule of incremental_window_starts. A group
    without sources gets the whole lookback.
-#}
{% macro _window_start_days(date_column, groups) -%}
    {%- set starts = {} -%}
    {%- set latest = omnichannel._as_date(run_query(
        'select max(' ~ date_column ~ ') from ' ~ this
    ).columns[0].values()[0]) if execute else none -%}
    {%- if latest is none -%}
        {%- for group in groups -%}
            {%- do starts.update({group.name: none}) -%}
        {%- endfor -%}
        {{ return(starts) }}
    {%- endif -%}
    {%- set timedelta = modules.datetime.timedelta -%}
    {%- set lookback_start = latest - timedelta(days=var('incremental_lookback_days') | int) -%}
    {%- set all_sources = omnichannel.incremental_group_sources(groups) -%}
    {%- set new_data = omnichannel._new_data_earliest_days(all_sources)
        if all_sources and var('incremental_window_from_new_data') and target.type == 'duckdb'
        else {'known': false, 'days': {}} -%}
    {%- for group in groups -%}
        {%- set start = lookback_start -%}
        {%- if new_data.known and group.sources -%}
            {%- set days = [] -%}
            {%- for source_model, _ in group.sources
                if new_data.days.get(source_model) is not none -%}
                {%- do days.append(new_data.days[source_model]) -%}
            {%- endfor -%}
            {%- if days | length == 0 -%}
                {%- set start = latest + timedelta(days=1) -%}
            {%- else -%}
                {%- set start = [
                    start, (days | min) - timedelta(days=1 if group.day_before else 0)
                ] | max -%}
            {%- endif -%}
        {%- endif -%}
        {%- do starts.update({group.name: start}) -%}
    {%- endfor -%}
    {{ return(starts) }}
{%- endmacro %}


{#- The (staging model, timestamp column) pairs of `groups`, each once, in order. -#}
{% macro incremental_group_sources(groups) -%}
    {%- set sources = [] -%}
    {%- for group in groups -%}
        {%- for source in group.sources if source not in sources -%}
            {%- do sources.append(source) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}


{#-
    Pre-hook of an incremental model on DuckDB built per group with
    incremental_window_starts (int_touchpoints_keyed: per source_name): deletes each group's
    rows dated in its window (group_column = the group's name), the rows its SQL derives again
    (the model's SQL computes the same windows: a pre-hook sees the table and the watermarks
    its SQL saw); the model then appends (incremental_strategy append). A no-op on a full build
    and on Spark.
-#}
{% macro incremental_clear_group_windows(date_column, groups, group_column) -%}
    {%- if target.type != 'duckdb' or not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set starts = omnichannel.incremental_window_starts(date_column, groups) -%}
    delete from {{ this }}
    where
    {%- for group in groups %}
        ({{ group_column }} = '{{ group.name }}'
            and {{ date_column }} >= cast({{ starts[group.name] }} as date))
        {%- if not loop.last %} or{% endif %}
    {%- endfor %}
{%- endmacro %}


{#-
    SQL timestamp literal: the largest _loaded_at of source_model when this incremental model
    was last built (its <model>__watermarks row), so `_loaded_at > <it>` selects the rows staged
    since. none when the model cannot follow its new rows that way: not an incremental run, not
    DuckDB, var incremental_window_from_new_data off, or no watermark recorded for that source
    (a warehouse built before the watermarks existed). A literal, not a subquery: zone maps then
    skip the source's row groups loaded before it.
-#}
{% macro new_rows_since(source_model) -%}
    {%- if not execute or not is_incremental() or target.type != 'duckdb'
        or not var('incremental_window_from_new_data') -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return((omnichannel._recorded_watermarks() or {}).get(source_model)) }}
{%- endmacro %}


{#-
    Pre-hook of an incremental model on DuckDB whose rows are derived per key from one staging
    source (a client's web sessions from that client's GA4 events alone): deletes the rows this
    run derives again, that is those dated in the window incremental_window_start(date_column,
    sources=sources) gives (the model's SQL computes the same one: a pre-hook sees the table and
    the watermarks its SQL saw) and, when new_rows_since knows the source's watermark, only
    those of the keys (key_column) the source staged rows for since the model's last build. The
    model then appends what its SQL selects (incremental_strategy append), so a daily run
    re-derives the clients its new events touch, not every client of the window's days. A
    no-op on a full build and on Spark (insert_overwrite of the window's partitions there).
-#}
{% macro incremental_clear_window(date_column, sources, key_column) -%}
    {%- if target.type != 'duckdb' or not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set key_source = sources[0][0] -%}
    {%- set since = omnichannel.new_rows_since(key_source) if sources | length == 1 else none -%}
    {%- set window_start = omnichannel.incremental_window_start(date_column, sources=sources) -%}
    delete from {{ this }}
    where
        {{ date_column }} >= cast({{ window_start }} as date)
        {%- if since %}
            and {{ key_column }} in (
                select {{ key_column }} from {{ ref(key_source) }}
                where _loaded_at > {{ since }}
            )
        {%- endif %}
{%- endmacro %}


{#-
    Post-hook of a model that passes `sources` to incremental_window_start: records, for each
    source, the largest _loaded_at it holds now (what this build has read), in the model's own
    table <model>__watermarks (one per model, so models built in parallel never write the same
    table). Full and incremental builds both record. A no-op on Spark.
-#}
{% macro record_incremental_watermarks(sources) -%}
    {%- if target.type != 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}
    create or replace table {{ omnichannel._watermarks_relation() }} as
    {%- for source_model, _ in sources %}
        select
            '{{ source_model }}' as source_model,
            max(_loaded_at) as loaded_through
        from {{ ref(source_model) }}
        {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro _watermarks_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '__watermarks'
    )) }}
{%- endmacro %}


{#-
    Pre-hook of an incremental model whose consumers want to know which of its days a run can
    have re-derived (int_touchpoints_keyed, read by int_touchpoints_unioned's pre-hook): appends
    (window_start, recorded_at) to <model>__windows beside the model. window_start is the
    window incremental_window_start(date_column, sources=sources) gives this run (the model's
    SQL computes the same one: a pre-hook sees the table and the watermarks the SQL saw), or
    null for a full build (first run, --full-refresh), which can change any day. recorded_at is
    the run's start (omnichannel.touch_changes_stamp), so a consumer built in the same
    invocation finds it after its own previous build. One row per run (not pruned: a few
    hundred rows a year). A no-op on Spark.
-#}
{% macro record_incremental_window(date_column, sources) -%}
    {%- if target.type != 'duckdb' or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set windows = omnichannel.incremental_windows_relation(this) -%}
    {%- set window_start = omnichannel.incremental_window_start(date_column, sources=sources)
        if is_incremental() else 'cast(null as timestamp)' -%}
    create table if not exists {{ windows }} (window_start timestamp, recorded_at timestamp);
    insert into {{ windows }}
    select {{ window_start }}, {{ omnichannel.touch_changes_stamp() }};
{%- endmacro %}


{#- The window log <model>__windows of relation (record_incremental_window). -#}
{% macro incremental_windows_relation(relation) -%}
    {{ return(api.Relation.create(
        database=relation.database, schema=relation.schema,
        identifier=relation.identifier ~ '__windows'
    )) }}
{%- endmacro %}


{#-
    What a consumer can know of the days relation re-derived since after (a SQL timestamp
    expression: the consumer's last build), from relation's window log: {known, full, start}.
    known is false when relation keeps no log, or its log begins after `after` (it was built
    before the log existed, so runs since may be missing); full is true when
    a full build of relation happened since; start is the earliest window start since (none:
    relation did not run since, so none of its rows changed).
-#}
{% macro incremental_windows_since(relation, after) -%}
    {%- set windows = omnichannel.incremental_windows_relation(relation) -%}
    {%- if not omnichannel.touch_changes_exist([windows]) -%}
        {{ return({'known': false, 'full': false, 'start': none}) }}
    {%- endif -%}
    {%- set row = run_query(
        'select count(*) filter (where recorded_at > ' ~ after ~ ' and window_start is null),'
        ~ ' min(window_start) filter (where recorded_at > ' ~ after ~ '),'
        ~ ' min(recorded_at) <= ' ~ after ~ ' from ' ~ windows
    ).rows[0] -%}
    {#- a log begun after the consumer's last build does not cover every run since -#}
    {%- if not row[2] -%}
        {{ return({'known': false, 'full': false, 'start': none}) }}
    {%- endif -%}
    {{ return({'known': true, 'full': row[0] > 0, 'start': omnichannel._as_date(row[1])}) }}
{%- endmacro %}
