{#-
    The latest _loaded_at of event feed `feed` that the model's table (int_identifiers_unioned,
    int_identifier_pairs) held when its pre-hook began (identifiers_unioned_watermarks_save),
    as a scalar subquery (1900-01-01 when it holds none, or when the table predates the
    _loaded_at column: that run then reads every feed's records again, and on_schema_change
    adds the column): an incremental run reads the feed's records staged after it. Read from
    the temp table the pre-hook saved: one scan of the table for every feed, where a subquery
    on the table per use scanned it some 35 times a run (each select of a feed's identifier
    column, the records staged again, the pairs' filters).
-#}
{% macro identifiers_unioned_watermark(feed) -%}
    {%- set timestamp_type = api.Column.translate_type('timestamp') -%}
    (
        select coalesce(max(done._loaded_at), cast('1900-01-01' as {{ timestamp_type }}))
        from {{ omnichannel.identity_changes_temp('watermarks') }} as done
        where done.source_name = '{{ feed }}'
    )
{%- endmacro %}

{#-
    Pre-hook SQL of an incremental run of int_identifiers_unioned or int_identifier_pairs:
    save the latest _loaded_at its table holds per source (temp <model>__watermarks, read by
    identifiers_unioned_watermark for the whole run, its post-hook drops it; null when the
    table predates the _loaded_at column). The run's one look at the table's columns: with a
    look per use of the watermark, compiling int_identifiers_unioned took 1.3 s (0.65 s on the
    commit before the export feeds) in a daily run at 100k customers.
    `saved`, when given and present (int_identifier_pairs' __loaded, identifier_pairs_finish),
    holds the watermarks instead: the table is not scanned.
-#}
{% macro identifiers_unioned_watermarks_save(saved=none) -%}
    {%- if saved is not none and omnichannel.touch_changes_exist([saved]) %}
        create or replace temp table {{ omnichannel.identity_changes_temp('watermarks') }} as
        select source_name, _loaded_at from {{ saved }};
    {%- else -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name')
            | map('lower') | list %}
        create or replace temp table {{ omnichannel.identity_changes_temp('watermarks') }} as
        select
            source_name,
            {% if '_loaded_at' in columns -%}
                max(_loaded_at)
            {%- else -%}
                cast(null as {{ api.Column.translate_type('timestamp') }})
            {%- endif %} as _loaded_at
        from {{ this }}
        group by source_name;
    {%- endif %}
{%- endmacro %}

{#-
    Dict feed -> SQL timestamp literal, rendered when the model's SQL is compiled (before its
    pre-hook runs, on the same table): the watermark of each of `feeds`
    (identifiers_unioned_watermark: the latest _loaded_at the model's table holds for it,
    1900-01-01 for a feed it holds none of or a table without the _loaded_at column; read from
    `saved` instead when given and present, as identifiers_unioned_watermarks_save does). A
    constant filter `_loaded_at > literal` lets DuckDB skip the row groups of
    int_identifiers_unioned loaded before it (zone maps), which the scalar subquery cannot:
    int_identifier_pairs read 33M occurrences at 1M customers for the 1% staged since. Not
    incremental, or while parsing: 1900-01-01 for each.
-#}
{% macro identifiers_unioned_watermark_literals(feeds, saved=none) -%}
    {%- set timestamp_type = api.Column.translate_type('timestamp') -%}
    {%- set found = {} -%}
    {%- if execute and is_incremental() and feeds -%}
        {%- set feed_list = "('" ~ (feeds | join("', '")) ~ "')" -%}
        {%- set rows = none -%}
        {%- if saved is not none and omnichannel.touch_changes_exist([saved]) -%}
            {%- set rows = run_query(
                'select source_name, cast(_loaded_at as varchar) from ' ~ saved
                ~ ' where source_name in ' ~ feed_list
            ).rows -%}
        {%- elif '_loaded_at' in (adapter.get_columns_in_relation(this) | map(attribute='name')
            | map('lower') | list) -%}
            {%- set rows = run_query(
                'select source_name, cast(max(_loaded_at) as varchar) from ' ~ this
                ~ ' where source_name in ' ~ feed_list ~ ' group by source_name'
            ).rows -%}
        {%- endif -%}
        {%- for row in rows or [] -%}
            {%- do found.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set literals = {} -%}
    {%- for feed in feeds -%}
        {%- do literals.update({feed: "cast('" ~ (found.get(feed) or '1900-01-01')
            ~ "' as " ~ timestamp_type ~ ")"}) -%}
    {%- endfor -%}
    {{ return(literals) }}
{%- endmacro %}

{#-
    int_identifiers_unioned, post-hook SQL (rendered before it runs): save each event feed's
    latest _loaded_at in its state table __loaded (source_name, _loaded_at), which its next
    run's watermarks are read from instead of a scan of the table
    (identifiers_unioned_watermarks_save), and which int_identifier_pairs copies
    (identifier_pairs_finish). An incremental run that follows the saved table keeps the larger
    of the saved value and the latest of what the run wrote (`written`: a select of
    source_name, _loaded_at); a full build, a missing table or a run that found the full marker
    reads every feed's occurrences once. A watermark never goes back: an erasure that deletes a
    feed's latest occurrences leaves it where it was, which only spares the next run records it
    already derived.
-#}
{% macro identifiers_unioned_loaded_save(feeds, written) -%}
    {%- set loaded = omnichannel.touch_changes_state(this, 'loaded') -%}
    {%- set follow = is_incremental() and omnichannel.touch_changes_exist([loaded])
        and not omnichannel.identity_changes_was_full() %}
    create or replace table {{ loaded }} as
    select source_name, max(_loaded_at) as _loaded_at
    from (
        {%- if follow %}
            select source_name, _loaded_at from {{ loaded }}
            union all
            select source_name, _loaded_at from ({{ written }}) as written
        {%- else %}
            select source_name, _loaded_at from {{ this }}
        {%- endif %}
    ) as watermarks
    where source_name in ('{{ feeds | join("', '") }}')
    group by source_name;
{%- endmacro %}

{#-
    int_identifier_pairs, post-hook: save each pairing feed's latest _loaded_at in
    int_identifiers_unioned (its own __loaded, which its next run's watermarks are read from),
    copied from int_identifiers_unioned's __loaded (identifiers_unioned_loaded_save), which
    holds it for every event feed as of that model's latest run: this model has just read every
    occurrence up to it. A feed's records that make no pair (consent events, Meta messages: one
    identifier each) leave no row in the table to hold its watermark, so without it every run
    read all their occurrences again (1.96M and 0.31M at 1M customers) and self-joined them for
    nothing. Without that table (a warehouse built before it) the occurrences are read once.
    With the var off the table is dropped.
-#}
{% macro identifier_pairs_finish(pairing_feeds) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set loaded = omnichannel.touch_changes_state(this, 'loaded') -%}
    {%- if not omnichannel.identity_changes_enabled() -%}
        {{ return(omnichannel.identity_changes_finish(
            temp_suffixes=['affected', 'cleared', 'watermarks'], state=[loaded])) }}
    {%- endif -%}
    {%- set occurrences = ref('int_identifiers_unioned') -%}
    {%- set occurrences_loaded = omnichannel.touch_changes_state(occurrences, 'loaded') %}
    create or replace table {{ loaded }} as
    select source_name, max(_loaded_at) as _loaded_at
    from {{ occurrences_loaded if omnichannel.touch_changes_exist([occurrences_loaded])
        else occurrences }}
    where source_name in ('{{ pairing_feeds.keys() | sort | join("', '") }}')
    group by source_name;
    {{ omnichannel.identity_changes_finish(temp_suffixes=['affected', 'cleared', 'watermarks']) }}
{%- endmacro %}
