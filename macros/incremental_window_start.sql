{#-
    Start of the reprocessing window of an incremental model, as a SQL timestamp literal:
    midnight (UTC) of the day var incremental_lookback_days (plus extra_days) before the latest
    value of date_column already in the model's table. Empty table: 1900-01-01. Only call it
    inside `is_incremental()`; at parse time (no database) it returns the same 1900 literal.
-#}
{% macro incremental_window_start(date_column, extra_days=0) -%}
    {%- set floor = "cast('1900-01-01 00:00:00' as timestamp)" -%}
    {%- if not execute -%}
        {{ return(floor) }}
    {%- endif -%}
    {%- set latest = run_query(
        'select max(' ~ date_column ~ ') from ' ~ this
    ).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(floor) }}
    {%- endif -%}
    {%- if latest is string -%}
        {%- set latest = modules.datetime.date.fromisoformat(latest[:10]) -%}
    {%- elif latest.date is defined -%}
        {%- set latest = latest.date() -%}
    {%- endif -%}
    {%- set days = var('incremental_lookback_days') | int + extra_days | int -%}
    {%- set start = latest - modules.datetime.timedelta(days=days) -%}
    {{ return("cast('" ~ start.isoformat() ~ " 00:00:00' as timestamp)") }}
{%- endmacro %}
