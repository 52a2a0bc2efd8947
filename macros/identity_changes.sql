{#-
    Incremental identity occurrences on DuckDB (var identity_incremental; doc
    identity_incremental): which records int_identifiers_unioned replaced, and who follows them.

    int_identifiers_unioned (pre-hook identifiers_unioned_prepare, post-hook
    identifiers_unioned_finish):
    - the event feeds' records (macro identity_event_feeds: GA4, LINE, Twilio, SendGrid, Meta,
      consent, HubSpot contacts, inbox, Shopify orders, POS) staged after the feed's watermark
      (the latest _loaded_at the table holds for it) are affected; for the export feeds
      (identity_export_feeds: HubSpot, inbox, POS, Shopify, rows of snapshot exports) only
      those whose occurrences differ from what the table holds for them (derived into
      temp.int_identifiers_unioned__export_now and diffed as below; the others take the new
      _loaded_at), plus the records the table holds and staging no longer does (an erasure
      deleted them);
    - the snapshot sources (the link records short_link and web_purchase, which join several
      staged rows): those whose parts can have changed since the last run (temp
      int_identifiers_unioned__link_keys, macros/identity_link_changes.sql; all of them when
      the run cannot follow their parts) are derived again into
      temp.int_identifiers_unioned__snapshot_now and compared with what the table holds for
      them (the rows of EXCEPT both ways on
      source_name, record_key, identifier_type, identifier_hash, seen_at, found by a full outer
      join on the first four, unique on both sides): only the records whose occurrence set
      changed or vanished are affected;
    - the affected records (temp.int_identifiers_unioned__affected: source_name, record_key) are
      deleted, and the model inserts their occurrences again (feeds from staging, export feeds
      and snapshot sources from the export_now and snapshot_now tables);
    - the change log int_identifiers_unioned__changes gets one row per occurrence deleted
      (pre-hook) and inserted (post-hook): source_name, record_key, identifier_key, is_full,
      changed_at (the run's start), plus a run marker (null record); it keeps its latest three
      runs. A full build (first run, --full-refresh, or no log yet) starts it again with the
      full marker (is_full true).
    Consumers follow the log after their own watermark (the latest changed_at of their own log,
    macro touch_changes_can_follow: they rebuild in full when a log is missing, the producer was
    rebuilt in full since, or pruned runs they did not read):
    - int_identifier_pairs pairs again the snapshot records logged since (the event feeds keep
      their _loaded_at watermark, and the export records staging no longer holds lose their
      pairs);
    - int_customer_identifier_sources aggregates again the identifier keys logged since, and
      those int_customers_stitched logged (macros/identity_mart_changes.sql).
    With the var off the models are plain tables and their post-hooks drop the logs and state;
    Spark: plain tables, no hooks.
-#}

{#- True when the identity occurrences build incrementally: DuckDB and var identity_incremental. -#}
{% macro identity_changes_enabled() -%}
    {{ return(target.type == 'duckdb' and var('identity_incremental')) }}
{%- endmacro %}

{#- Name (temp.<model>__<suffix>) of a temp table a run of the current model keeps. -#}
{% macro identity_changes_temp(suffix) -%}
    {{ return('temp.' ~ this.identifier ~ '__' ~ suffix) }}
{%- endmacro %}

{#-
    SQL: every occurrence of the sources in `entries` (items of identity_occurrences), one
    select per identifier column, unioned; columns source_name, record_key, identifier_type,
    identifier_hash, seen_at, _loaded_at (the staged row's, for an event feed's own model; null
    otherwise). `feed_filter` true reads an event feed's model only where staged after the
    feed's watermark in the current model's table; `keys` (a relation of source_name,
    record_key) reads only the records it names; `relations` (model name -> relation) reads
    those relations instead of the models.
-#}
{% macro identity_occurrences_select(
    entries, event_feeds, feed_filter=false, keys=none, relations={}
) -%}
    {%- set timestamp_type = api.Column.translate_type('timestamp') -%}
    {%- for source_name, model_name, key_column, seen_column, identifiers in entries %}
        {%- set is_feed = event_feeds.get(source_name, ('', ''))[0] == model_name %}
        {%- for identifier_type, hash_expression in identifiers %}
            select
                '{{ source_name }}' as source_name,
                {{ key_column }} as record_key,
                '{{ identifier_type }}' as identifier_type,
                {{ hash_expression }} as identifier_hash,
                {{ seen_column }} as seen_at,
                {%- if is_feed %}
                    _loaded_at
                {%- else %}
                    cast(null as {{ timestamp_type }}) as _loaded_at
                {%- endif %}
            from {{ relations[model_name] if model_name in relations else ref(model_name) }}
            {%- if is_feed and feed_filter %}
                where _loaded_at > {{ omnichannel.identifiers_unioned_watermark(source_name) }}
            {%- elif keys %}
                where {{ key_column }} in (
                    select listed.record_key from {{ keys }} as listed
                    where listed.source_name = '{{ source_name }}'
                )
            {%- endif %}
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#-
    SQL: one row per source x record x identifier of the occurrences in `relation` (a CTE or
    table with identity_occurrences_select's columns): its identifier_key, the first seen_at,
    the latest _loaded_at, the record's record_hash and the key's key_hash; occurrences without
    a hash or a record key left out. The rows of int_identifiers_unioned.
-#}
{% macro identity_occurrences_grouped(relation) -%}
    select
        {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }} as identifier_key,
        source_name,
        record_key,
        identifier_type,
        identifier_hash,
        min(seen_at) as seen_at,
        max(_loaded_at) as _loaded_at,
        {{ omnichannel.identity_occurrence_hashes() }}
    from {{ relation }}
    where identifier_hash is not null and record_key is not null
    group by source_name, record_key, identifier_type, identifier_hash
{%- endmacro %}

{#-
    True when an entry of identity_occurrences yields each (record, identifier_type,
    identifier_hash) at most once, so its occurrences need no grouping: the project tests its
    record key column `unique` on its model (a unique_key alone is not enough: POS lines are
    replaced per transaction_id), its identifier types differ, and no other entry of its source
    yields one of them. Grouping 4.6M occurrences cost 6.9 s of the
    11 s of int_identifiers_unioned's full build at 100k customers, and 3.7M of them (GA4,
    SendGrid, LINE, Twilio, Meta, consent) came from such entries. False while parsing (the
    graph is not known yet): grouped, which gives the same rows.
-#}
{% macro identity_occurrences_unique(entry) -%}
    {%- set source_name, model_name, key_column, seen_column, identifiers = entry -%}
    {%- set types = identifiers | map(attribute=0) | list -%}
    {%- if not execute or (types | unique | list | length) != (types | length) -%}
        {{ return(false) }}
    {%- endif -%}
    {#- another entry of the same source (short_link: links and landings) must not yield
        these types: its rows would meet these ones in one group -#}
    {%- for other in omnichannel.identity_occurrences() -%}
        {%- if other[0] == source_name and other[1:3] != entry[1:3]
            and (other[4] | map(attribute=0) | select('in', types) | list) -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set model_id = 'model.' ~ project_name ~ '.' ~ model_name -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'test'
            and (node.test_metadata or {}).get('name') == 'unique'
            and node.column_name == key_column
            and node.attached_node == model_id -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{#-
    SQL: the rows of int_identifiers_unioned for the sources in `entries` (see
    identity_occurrences_select for event_feeds and feed_filter): the occurrences of entries
    whose records yield each identifier once (identity_occurrences_unique) as they are, the
    others grouped (identity_occurrences_grouped): the same rows as grouping them all.
-#}
{% macro identity_occurrences_derived(
    entries, event_feeds, feed_filter=false, keys=none, relations={}
) -%}
    {%- set single = [] -%}
    {%- set repeated = [] -%}
    {%- for entry in entries -%}
        {%- do (single if omnichannel.identity_occurrences_unique(entry) else repeated).append(entry) -%}
    {%- endfor -%}
    {%- if single %}
        select
            {{ omnichannel.identifier_key('identifier_type', 'identifier_hash') }}
                as identifier_key,
            source_name,
            record_key,
            identifier_type,
            identifier_hash,
            seen_at,
            _loaded_at,
            {{ omnichannel.identity_occurrence_hashes() }}
        from (
            {{ omnichannel.identity_occurrences_select(
                single, event_feeds, feed_filter, keys, relations) }}
        ) as single_occurrences
        where identifier_hash is not null and record_key is not null
    {%- endif %}
    {%- if single and repeated %}
        union all
    {%- endif %}
    {%- if repeated %}
        {{ omnichannel.identity_occurrences_grouped(
            '(' ~ omnichannel.identity_occurrences_select(
                repeated, event_feeds, feed_filter, keys, relations)
            ~ ') as repeated_occurrences') }}
    {%- endif %}
{%- endmacro %}

{#- The entries of identity_occurrences that are not an event feed's own model. -#}
{% macro identity_snapshot_entries(event_feeds) -%}
    {%- set entries = [] -%}
    {%- for entry in omnichannel.identity_occurrences() -%}
        {%- if event_feeds.get(entry[0], ('', ''))[0] != entry[1] -%}
            {%- do entries.append(entry) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(entries) }}
{%- endmacro %}

{#- SQL list of the source names of the snapshot sources ('short_link', 'web_purchase'). -#}
{% macro identity_snapshot_sources(event_feeds) -%}
    {%- set names = omnichannel.identity_snapshot_entries(event_feeds) | map(attribute=0)
        | unique | sort -%}
    {{ return("'" ~ names | join("', '") ~ "'") }}
{%- endmacro %}

{#-
    Post-hook SQL: append a run marker (and, for int_identifiers_unioned, the occurrences it
    inserted for the affected records) to change_log, keep its latest three runs; a full build
    starts the log again with the full marker. Drops the run's temp tables.
-#}
{% macro identity_changes_log(change_log, full, temp_tables, logged_occurrences=none) -%}
    {%- set stamp = omnichannel.touch_changes_stamp() -%}
    {% if full %}
        create or replace table {{ change_log }} as
        select
            cast(null as varchar) as source_name,
            cast(null as varchar) as record_key,
            cast(null as varchar) as identifier_key,
            true as is_full,
            {{ stamp }} as changed_at;
    {% else %}
        {% if logged_occurrences %}
            insert into {{ change_log }}
            select source_name, record_key, identifier_key, false, {{ stamp }}
            from ({{ logged_occurrences }}) as logged;
        {% endif %}
        insert into {{ change_log }} values (null, null, null, false, {{ stamp }});
        delete from {{ change_log }}
        where changed_at < (
            select min(changed_at) from (
                select distinct changed_at from {{ change_log }}
                order by changed_at desc limit 3
            )
        );
    {% endif %}
    {% for temp_table in temp_tables %}
        drop table if exists {{ temp_table }};
    {% endfor %}
{%- endmacro %}

{#- True when this run's pre-hook marked a full build (a null source_name in the affected table). -#}
{% macro identity_changes_was_full() -%}
    {{ return(run_query(
        'select count(*) from ' ~ omnichannel.identity_changes_temp('affected')
        ~ ' where source_name is null'
    ).columns[0].values()[0] > 0) }}
{%- endmacro %}

{#-
    int_identifiers_unioned, pre-hook. Incremental: list the affected records - the snapshot
    sources' (short_link, web_purchase: those whose parts can have changed, temp __link_keys,
    derived again into temp __snapshot_now) and the export
    feeds' records staged after the watermark (identity_export_feeds: derived into temp
    __export_now) whose occurrences differ from what the table holds, the other event feeds'
    records staged after the watermark, the export feeds' records staging no longer holds -,
    log their current occurrences and delete them; give the export feeds' records staged again
    unchanged their new _loaded_at. Full build: the affected table holds only the full marker
    (and __link_keys the null row); both build the state __links again when they cannot follow
    the link records' parts.
-#}
{% macro identifiers_unioned_prepare(event_feeds) -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set snapshot_now = omnichannel.identity_changes_temp('snapshot_now') -%}
    {%- set export_now = omnichannel.identity_changes_temp('export_now') -%}
    {%- set export_staged = omnichannel.identity_changes_temp('export_staged') -%}
    {%- set export_deleted = omnichannel.identity_changes_temp('export_deleted') -%}
    {%- set link_keys = omnichannel.identity_changes_temp('link_keys') -%}
    {%- set removed = omnichannel.identity_changes_temp('removed') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set entries = omnichannel.identity_snapshot_entries(event_feeds) -%}
    {#- computed once: each call renders identity_occurrences again (42 ms) -#}
    {%- set link_parts = omnichannel.identity_link_parts(event_feeds) -%}
    {%- set export_feeds = omnichannel.identity_export_feeds() -%}
    {%- set export_entries = omnichannel.identity_feed_entries(event_feeds, export_feeds) -%}
    {#- the snapshot sources' staging models are tables (incremental), read once per
        identifier column -#}
    {% if is_incremental() %}
        {{ omnichannel.lookup_hashes_ensure(['record_hash', 'key_hash']) }}

        {{ omnichannel.identifiers_unioned_watermarks_save(
            omnichannel.touch_changes_state(this, 'loaded')) }}

        {#- the export feeds' records the table holds and staging no longer does (an erasure
            deleted them) -#}
        create or replace temp table {{ export_deleted }} as
        {%- for feed in export_feeds %}
            {%- set model_name, key_column = event_feeds[feed] %}
            {% if not loop.first %}union all{% endif %}
            {{ omnichannel.identity_feed_deleted_records(feed, model_name, key_column, this) }}
        {%- endfor %};

        {#- the link records whose parts can have changed (all of them when the run cannot
            follow those parts: a single null row) -#}
        {%- set follow_links = omnichannel.identity_links_can_follow(link_parts) %}
        {{ omnichannel.identity_links_listed(
            event_feeds, link_parts, follow_links, export_deleted) }}

        create or replace temp table {{ snapshot_now }} as
        {{ omnichannel.identity_occurrences_derived(
            entries, event_feeds, false, link_keys if follow_links else none,
            omnichannel.identity_link_rows(link_parts) if follow_links else {}) }};

        {#- the export feeds' records staged after the watermark: their keys (a record that now
            yields no occurrence too) and occurrences -#}
        {%- set staged_feeds = {} -%}
        {%- set export_staged_feeds = {} -%}
        {%- for feed, staged in event_feeds.items() -%}
            {%- do (export_staged_feeds if feed in export_feeds else staged_feeds).update(
                {feed: staged}) -%}
        {%- endfor %}
        create or replace temp table {{ export_staged }} as
        {{ omnichannel.identity_feeds_staged_records(export_staged_feeds) }};

        create or replace temp table {{ export_now }} as
        {{ omnichannel.identity_occurrences_derived(export_entries, event_feeds, true) }};

        {#- (source_name, record_key, identifier_type, identifier_hash) is unique on both sides
            (grouped), so a full outer join on it, comparing seen_at, finds the rows of
            `derived EXCEPT held` and `held EXCEPT derived` (and costs half as much) -#}
        {%- set columns = ['identifier_type', 'identifier_hash', 'seen_at'] %}
        create or replace temp table {{ affected }} as
        with
        held as (
            select
                held.source_name,
                held.record_key,
                held.identifier_type,
                held.identifier_hash,
                held.seen_at
            {%- if follow_links %}
                from ({{ omnichannel.identity_rows_of_records(link_keys, columns) }}) as held
            {%- else %}
                from {{ this }} as held
                where
                    held.source_name
                    in ({{ omnichannel.identity_snapshot_sources(event_feeds) }})
            {%- endif %}
        ),
        changed as (
            {{ omnichannel.identity_occurrences_changed(snapshot_now, 'held') }}
        ),
        export_held as (
            select
                held.source_name,
                held.record_key,
                held.identifier_type,
                held.identifier_hash,
                held.seen_at
            from ({{ omnichannel.identity_rows_of_records(export_staged, columns) }}) as held
        ),
        export_changed as (
            {{ omnichannel.identity_occurrences_changed(export_now, 'export_held') }}
        )
        select source_name, record_key from changed
        union
        select source_name, record_key from export_changed
        union
        {{ omnichannel.identity_feeds_staged_records(staged_feeds) }}
        union
        select source_name, record_key from {{ export_deleted }};

        {#- one scan of the table's record_hash finds the affected records' rows (their row
            ids: reading identifier_key there too cost 2.8 s against 1.2 s at 1M customers),
            then the strings of just those rows are checked (records may share a hash); the log
            and the delete then read just those rows (0.06 s and 0.01 s, where each scanned
            the table again: 4.2 s and 1.0 s) -#}
        create or replace temp table {{ removed }} as
        {{ omnichannel.identity_rows_of_records(affected, []) }};

        {% if omnichannel.touch_changes_exist([change_log]) %}
            insert into {{ change_log }}
            select
                held.source_name,
                held.record_key,
                held.identifier_key,
                false,
                {{ omnichannel.touch_changes_stamp() }}
            from {{ this }} as held
            where held.rowid in (select removed.row_id from {{ removed }} as removed);
        {% endif %}

        delete from {{ this }}
        where rowid in (select removed.row_id from {{ removed }} as removed);

        {#- what is left of the export records staged again is unchanged: it takes the new
            _loaded_at (a full build's, and the feed's watermark) -#}
        update {{ this }} as held
        set _loaded_at = export_now._loaded_at
        from {{ export_now }} as export_now
        where
            held.source_name = export_now.source_name
            and held.record_key = export_now.record_key
            and held.identifier_key = export_now.identifier_key
            and held._loaded_at is distinct from export_now._loaded_at;
    {% else %}
        create or replace temp table {{ affected }} as
        select cast(null as varchar) as source_name, cast(null as varchar) as record_key;

        {{ omnichannel.identity_links_listed(event_feeds, link_parts, false, none) }}
    {% endif %}
{%- endmacro %}

{#-
    SQL (pre-hooks of int_identifiers_unioned and int_identifier_pairs): the rows of the
    model's table whose record is one of `keys` (a relation of source_name, record_key):
    row_id (their rowid), source_name, record_key and `columns`. One scan of record_hash finds
    the rows of the keys' hashes, the strings of just those rows are then checked (records may
    share a hash), where a join on the strings reads both for every row. The records a daily
    run replaces hold few rows, close together (at 100k customers 437 of the 4.4M occurrences,
    in 61 of 2,156 vectors of 2,048 rows): a lookup by identifier key would not gain so, as a
    day's keys hold 6% of the occurrences, in every vector.
-#}
{% macro identity_rows_of_records(keys, columns) -%}
    with
    hashed as materialized (
        select held.rowid as row_id
        from {{ this }} as held
        where held.record_hash in (
            select {{ omnichannel.record_hash('listed.source_name', 'listed.record_key') }}
            from {{ keys }} as listed
        )
    ),
    candidates as materialized (
        select
            held.rowid as row_id,
            held.source_name,
            held.record_key
            {%- for column in columns %},
            held.{{ column }}
            {%- endfor %}
        from {{ this }} as held
        where held.rowid in (select hashed.row_id from hashed)
    )
    select candidates.*
    from candidates
    inner join {{ keys }} as listed
        on
            candidates.source_name = listed.source_name
            and candidates.record_key = listed.record_key
{%- endmacro %}

{#- SQL select-list items: the lookup hashes of an occurrence row (source_name, record_key,
    identifier_type, identifier_hash) that int_identifiers_unioned keeps with it. -#}
{% macro identity_occurrence_hashes() -%}
    {{ omnichannel.record_hash('source_name', 'record_key') }} as record_hash,
    {{ omnichannel.key_hash(omnichannel.identifier_key('identifier_type', 'identifier_hash')) }}
        as key_hash
{%- endmacro %}

{#- SQL: the distinct identifier keys (identifier_key) of the run's affected table, without the
    full marker's null row - the keys an identity model aggregates again by key_hash. -#}
{% macro identity_affected_keys() -%}
    select distinct affected.record_key as identifier_key
    from {{ omnichannel.identity_changes_temp('affected') }} as affected
    where affected.record_key is not null
{%- endmacro %}

{#-
    SQL: the occurrences (int_identifiers_unioned) of the keys in `keys` (a CTE or relation of
    distinct identifier_key values), as identifier_key and `columns`. One scan of key_hash
    (macro key_hash) finds them, and the key string comes from `keys`, not from the table: a
    run's keys hold a few percent of the occurrences but fall in nearly every block of 2,048
    rows, so fetching the table's strings of the rows found would read them all (1.6 GB at 1M
    customers) - the scan alone reads 0.36 GB. Two keys sharing a hash would take each other's
    occurrences: singular test assert_key_hashes_unique fails the build should two keys of the
    table share one.
-#}
{% macro identity_occurrences_of_keys(keys, columns) -%}
    select
        listed.identifier_key
        {%- for column in columns %},
        held.{{ column }}
        {%- endfor %}
    from {{ ref('int_identifiers_unioned') }} as held
    inner join (
        select
            identifier_key,
            {{ omnichannel.key_hash('identifier_key') }} as key_hash
        from {{ keys }}
    ) as listed
        on held.key_hash = listed.key_hash
{%- endmacro %}

{#-
    Incremental pre-hook SQL of int_identifiers_unioned, int_identifier_pairs and
    int_touchpoints_keyed: adds each of the lookup hashes `columns` (record_hash: macro
    record_hash; key_hash, key_hash_a, key_hash_b: macro key_hash of identifier_key,
    identifier_key_a, identifier_key_b; row_hash: macro touchpoints_keyed_row_hash) and fills
    it when the table lacks it (built before the column existed) or its first row's value is no
    longer what hash() gives (DuckDB changed the function between releases: the run would miss
    the rows it looks up). Nothing otherwise (one row read per column).
-#}
{% macro lookup_hashes_ensure(columns) -%}
    {%- set expressions = {
        'record_hash': omnichannel.record_hash('source_name', 'record_key'),
        'key_hash': omnichannel.key_hash('identifier_key'),
        'key_hash_a': omnichannel.key_hash('identifier_key_a'),
        'key_hash_b': omnichannel.key_hash('identifier_key_b'),
        'row_hash': omnichannel.touchpoints_keyed_row_hash(),
    } -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name')
        | map('lower') | list -%}
    {%- for name in columns -%}
        {%- set expression = expressions[name] -%}
        {%- set stale = name not in names or run_query(
            'select count(*) from (select ' ~ name ~ ' as held, ' ~ expression ~ ' as now from '
            ~ this ~ ' limit 1) as first_row where first_row.held is distinct from first_row.now'
        ).columns[0].values()[0] > 0 -%}
        {%- if stale -%}
            {{ log(this.identifier ~ ': computing ' ~ name ~ ' for every row (the column is new'
                ~ ' or hash() changed)', info=True) }}
            {% if name not in names %}
                alter table {{ this }} add column {{ name }} ubigint;
            {% endif %}
            update {{ this }} set {{ name }} = {{ expression }};
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#-
    SQL: the records (source_name, record_key) whose occurrences differ between `derived` (rows
    of identity_occurrences_derived) and `held` (the table's rows for the same records): the
    rows of EXCEPT both ways on source_name, record_key, identifier_type, identifier_hash,
    seen_at, found by a full outer join on the first four (unique on both sides).
-#}
{% macro identity_occurrences_changed(derived, held) -%}
    select
        coalesce(derived.source_name, held.source_name) as source_name,
        coalesce(derived.record_key, held.record_key) as record_key
    from {{ derived }} as derived
    full outer join {{ held }} as held
        on
            derived.source_name = held.source_name
            and derived.record_key = held.record_key
            and derived.identifier_type = held.identifier_type
            and derived.identifier_hash = held.identifier_hash
    where
        derived.source_name is null
        or held.source_name is null
        or derived.seen_at is distinct from held.seen_at
{%- endmacro %}

{#- The entries of identity_occurrences that are the own model of one of the event feeds
    `feeds` (names of identity_event_feeds). -#}
{% macro identity_feed_entries(event_feeds, feeds) -%}
    {%- set entries = [] -%}
    {%- for entry in omnichannel.identity_occurrences() -%}
        {%- if entry[0] in feeds and event_feeds[entry[0]][0] == entry[1] -%}
            {%- do entries.append(entry) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(entries) }}
{%- endmacro %}

{#- int_identifiers_unioned, post-hook: log the affected records' new occurrences and the run. -#}
{% macro identifiers_unioned_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- if not omnichannel.identity_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([change_log,
            omnichannel.touch_changes_state(this, 'links'),
            omnichannel.touch_changes_state(this, 'loaded')])) }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set link_keys = omnichannel.identity_changes_temp('link_keys') -%}
    {%- set full = omnichannel.identity_changes_was_full()
        or not omnichannel.touch_changes_exist([change_log]) -%}
    {%- if not full -%}
        {%- set listed = run_query(
            'select count(*) filter (where source_name is null), count(*) from ' ~ link_keys
        ).rows[0] -%}
        {{ log(this.identifier ~ ': ' ~ ('every link record derived again' if listed[0]
            else 'link records derived again: ' ~ listed[1]), info=True) }}
    {%- endif -%}
    {%- set inserted = omnichannel.incremental_new_rows(
        'select held.* from ' ~ this ~ ' as held inner join ' ~ affected ~ ' as affected'
        ~ ' on held.source_name = affected.source_name'
        ~ ' and held.record_key = affected.record_key') -%}
    {#- what this run wrote: the rows it inserted, and the export records staged again
        unchanged, which the pre-hook gave their new _loaded_at (an update widens the zone maps
        of row groups all over the table, so a filter on _loaded_at could not skip them) -#}
    {{ omnichannel.identifiers_unioned_loaded_save(
        omnichannel.identity_event_feeds().keys() | sort,
        'select source_name, _loaded_at from ' ~ inserted ~ ' as inserted'
        ~ ' union all select source_name, _loaded_at from '
        ~ omnichannel.identity_changes_temp('export_now')) }}
    {{ omnichannel.identity_changes_log(
        change_log, full,
        [affected, link_keys]
        + (omnichannel.identity_link_rows(omnichannel.identity_link_parts(
            omnichannel.identity_event_feeds())).values() | list)
        + [omnichannel.identity_changes_temp('snapshot_now'),
            omnichannel.identity_changes_temp('export_now'),
            omnichannel.identity_changes_temp('export_staged'),
            omnichannel.identity_changes_temp('export_deleted'),
            omnichannel.identity_changes_temp('removed'),
            omnichannel.identity_changes_temp('watermarks')],
        'select inserted.source_name, inserted.record_key, inserted.identifier_key from '
        ~ inserted ~ ' as inserted') }}
{%- endmacro %}

{#-
    int_identifier_pairs, pre-hook. Incremental: delete the pairs of the event-feed records
    staged again (identity_feeds_staged_records), of the export feeds' records
    (identity_export_feeds) staging no longer holds, and of the snapshot records
    int_identifiers_unioned logged since this model's last run (temp affected table); when it
    cannot follow the log, every snapshot record is affected (with the full marker). Their
    rows are found by record_hash (identity_rows_of_records: at 1M customers three deletes
    joined the 9.8M pairs on the strings, 1.1-1.4 s). Full build: the affected table holds only
    the full marker.
-#}
{% macro identifier_pairs_prepare(pairing_feeds) -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set cleared = omnichannel.identity_changes_temp('cleared') -%}
    {%- set occurrences = ref('int_identifiers_unioned') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set producer_log = omnichannel.touch_changes_state(occurrences, 'changes') -%}
    {%- set snapshot_sources = omnichannel.identity_snapshot_sources(
        omnichannel.identity_event_feeds()) -%}
    {% if is_incremental() %}
        {{ omnichannel.lookup_hashes_ensure(['record_hash', 'key_hash_a', 'key_hash_b']) }}

        {{ omnichannel.identifiers_unioned_watermarks_save(
            omnichannel.touch_changes_state(this, 'loaded')) }}

        {% if omnichannel.touch_changes_can_follow(change_log, [producer_log]) %}
            create or replace temp table {{ affected }} as
            select distinct source_name, record_key
            from {{ producer_log }}
            where
                source_name in ({{ snapshot_sources }})
                and record_key is not null
                and changed_at > (select max(changed_at) from {{ change_log }});
        {% else %}
            create or replace temp table {{ affected }} as
            select cast(null as varchar) as source_name, cast(null as varchar) as record_key
            union all
            select distinct source_name, record_key
            from {{ occurrences }}
            where source_name in ({{ snapshot_sources }});
        {% endif %}

        {#- the records whose pairs go: staged again, erased export records (deleted from
            staging), replaced snapshot records -#}
        {%- set checked = omnichannel.identity_export_feeds()
            | select('in', pairing_feeds) | list %}
        create or replace temp table {{ cleared }} as
        {{ omnichannel.identity_feeds_staged_records(pairing_feeds) }}
        {%- for feed in checked %}
            {%- set model_name, key_column = pairing_feeds[feed] %}
            union all
            {{ omnichannel.identity_feed_deleted_records(feed, model_name, key_column, this) }}
        {%- endfor %}
        union all
        select affected.source_name, affected.record_key
        from {{ affected }} as affected
        where affected.record_key is not null;

        delete from {{ this }}
        where rowid in (
            select cleared_rows.row_id
            from ({{ omnichannel.identity_rows_of_records(cleared, []) }}) as cleared_rows
        );
    {% else %}
        create or replace temp table {{ affected }} as
        select cast(null as varchar) as source_name, cast(null as varchar) as record_key;
    {% endif %}
{%- endmacro %}

{#-
    Post-hook of an identity model that logs its runs in `<model>__changes` (identity_changes_log;
    change_log: another log relation): with the var off, drop the log (and `state`); else log the
    run (the full marker after a full build, or when no log exists yet) with the rows of
    `logged` (SQL), or, given `logged_as`, the identifier keys of the run's affected table under
    that source_name; drop the temp tables temp.<model>__<suffix> of `temp_suffixes` (and
    `state`).
-#}
{% macro identity_changes_finish(
    logged_as=none, logged=none, temp_suffixes=['affected'], change_log=none, state=[]
) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set change_log = change_log or omnichannel.touch_changes_state(this, 'changes') -%}
    {%- if not omnichannel.identity_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([change_log] + state)) }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set full = omnichannel.identity_changes_was_full()
        or not omnichannel.touch_changes_exist([change_log]) -%}
    {%- if logged_as -%}
        {%- set logged = "select distinct '" ~ logged_as ~ "' as source_name,"
            ~ ' null as record_key, affected.record_key as identifier_key from '
            ~ affected ~ ' as affected where affected.record_key is not null' -%}
    {%- endif -%}
    {%- set temp_tables = [] -%}
    {%- for suffix in temp_suffixes -%}
        {%- do temp_tables.append(omnichannel.identity_changes_temp(suffix)) -%}
    {%- endfor -%}
    {{ omnichannel.identity_changes_log(change_log, full, temp_tables + state, logged) }}
{%- endmacro %}
