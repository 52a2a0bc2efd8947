{#-
    Incremental resolution of the touch stream (int_touchpoints_unioned,
    int_touch_consents_checked, the touchpoints mart) on DuckDB, var touchpoints_incremental.

    Each of the three models is materialized incremental (strategy append) with a pre-hook and a
    post-hook:
    - the pre-hook lists the touches whose row can have changed since the model's last build
      into a connection-local temp table <model>__affected (touchpoint_id) and deletes them
      from the model; the model's SQL then re-derives exactly those touches (a deleted touch that
      no longer resolves, or no longer exists, is simply not inserted again);
    - the post-hook saves the state the next run compares with and appends the affected ids to
      the model's change log <model>__changes (touchpoint_id, is_full, changed_at: the run's
      start). A row with a null touchpoint_id and is_full true means "every touch changed" (a
      full build); one with is_full false marks a run. The log keeps the rows of its latest
      three runs.
    A consumer (the consents model, the mart) reads its producers' logs after its own watermark
    (the latest changed_at of its own log): their ids are touches whose row changed upstream. It
    rebuilds in full (delete everything, re-derive everything, log is_full) when a log or state
    table is missing, when a producer was fully rebuilt since, or when the producer pruned runs
    the consumer has not read. Re-deriving a touch that did not change yields the same row, so a
    larger affected set costs time, never correctness.
    A full build (first run, --full-refresh) writes the state from scratch and logs is_full.
    With the var off the models are plain tables and the post-hook drops the state, so a later
    incremental run never compares with a state older than the table. Spark: plain tables, no
    hooks.
    The generic macros below take the logged id column as key (default touchpoint_id): the
    journey chain (journey_changes.sql) logs and follows customer ids the same way.
-#}

{#- True when the touch stream resolves incrementally: DuckDB and var touchpoints_incremental. -#}
{% macro touch_changes_enabled() -%}
    {{ return(target.type == 'duckdb' and var('touchpoints_incremental')) }}
{%- endmacro %}

{#- The state table <relation>__<suffix>, beside relation (same database and schema). -#}
{% macro touch_changes_state(relation, suffix) -%}
    {{ return(api.Relation.create(
        database=relation.database, schema=relation.schema,
        identifier=relation.identifier ~ '__' ~ suffix)) }}
{%- endmacro %}

{#- Name (temp.<model>__affected) of the temp table of the touches a run re-derives. -#}
{% macro touch_changes_affected(relation=none) -%}
    {{ return('temp.' ~ (relation or this).identifier ~ '__affected') }}
{%- endmacro %}

{#- The run's start as a timestamp literal (microseconds: two runs never share it). -#}
{% macro touch_changes_stamp() -%}
    {{ return("cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as timestamp)") }}
{%- endmacro %}

{#- True when every relation in the list exists. -#}
{% macro touch_changes_exist(relations) -%}
    {%- for relation in relations -%}
        {%- if adapter.get_relation(database=relation.database, schema=relation.schema,
            identifier=relation.identifier) is none -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#-
    True when a consumer with change log own_log can take only its producers' logged changes:
    every log exists, no producer was fully rebuilt after the consumer's watermark (latest
    changed_at of own_log), and no producer pruned a run after it.
-#}
{% macro touch_changes_can_follow(own_log, producer_logs) -%}
    {%- if not omnichannel.touch_changes_exist([own_log] + producer_logs) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for producer_log in producer_logs -%}
        {%- set behind = run_query(
            'with watermark as (select max(changed_at) as changed_at from ' ~ own_log ~ ')'
            ~ ' select count(*) from watermark where watermark.changed_at is null'
            ~ ' or exists (select 1 from ' ~ producer_log ~ ' as log'
            ~ ' where log.is_full and log.changed_at > watermark.changed_at)'
            ~ ' or (select min(changed_at) from ' ~ producer_log ~ ') > watermark.changed_at'
        ).columns[0].values()[0] -%}
        {%- if behind > 0 -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#- SQL: the touchpoint ids the producers logged after the consumer's watermark. -#}
{% macro touch_changes_since(own_log, producer_logs, key='touchpoint_id') -%}
    {%- for producer_log in producer_logs %}
        {% if not loop.first %}union{% endif %}
        select {{ key }} from {{ producer_log }}
        where
            {{ key }} is not null
            and changed_at > (select max(changed_at) from {{ own_log }})
    {%- endfor %}
{%- endmacro %}

{#-
    Pre-hook SQL of a full build, or of an incremental run that must rebuild in full: the
    affected table holds the full marker (a null id), plus every id of all_ids_sql when the
    model is incremental (its rows are deleted and all re-derived).
-#}
{% macro touch_changes_prepare_full(all_ids_sql, key='touchpoint_id') -%}
    create or replace temp table {{ omnichannel.touch_changes_affected() }} as
    select cast(null as varchar) as {{ key }};
    {% if is_incremental() %}
        insert into {{ omnichannel.touch_changes_affected() }} {{ all_ids_sql }};
        delete from {{ this }};
    {% endif %}
{%- endmacro %}

{#- Pre-hook SQL: delete the affected touches (already in the temp table) from the model. -#}
{% macro touch_changes_delete_affected(key='touchpoint_id') -%}
    delete from {{ this }}
    where {{ key }} in (select {{ key }} from {{ omnichannel.touch_changes_affected() }});
{%- endmacro %}

{#- True when the pre-hook of this run marked a full build (see touch_changes_prepare_full). -#}
{% macro touch_changes_was_full(key='touchpoint_id') -%}
    {{ return(run_query(
        'select count(*) from ' ~ omnichannel.touch_changes_affected()
        ~ ' where ' ~ key ~ ' is null'
    ).columns[0].values()[0] > 0) }}
{%- endmacro %}

{#-
    Post-hook SQL: log the run's affected touches (log_touches; else only the run marker) in
    change_log, keep its latest three runs, drop the affected table. A full build starts the log
    again with the full marker.
-#}
{% macro touch_changes_log(change_log, full, log_touches=true, key='touchpoint_id') -%}
    {%- set stamp = omnichannel.touch_changes_stamp() -%}
    {% if full %}
        create or replace table {{ change_log }} as
        select
            cast(null as varchar) as {{ key }},
            true as is_full,
            {{ stamp }} as changed_at;
    {% else %}
        {% if log_touches %}
            insert into {{ change_log }}
            select distinct {{ key }}, false, {{ stamp }}
            from {{ omnichannel.touch_changes_affected() }}
            where {{ key }} is not null;
        {% endif %}
        insert into {{ change_log }} values (null, false, {{ stamp }});
        delete from {{ change_log }}
        where changed_at < (
            select min(changed_at) from (
                select distinct changed_at from {{ change_log }}
                order by changed_at desc limit 3
            )
        );
    {% endif %}
    drop table if exists {{ omnichannel.touch_changes_affected() }};
{%- endmacro %}

{#- Post-hook SQL with the var off (DuckDB): drop the state tables, which would be stale. -#}
{% macro touch_changes_drop(relations) -%}
    {% if target.type == 'duckdb' %}
        {% for relation in relations %}
            drop table if exists {{ relation }};
        {% endfor %}
    {% endif %}
{%- endmacro %}

{#-
    int_touchpoints_keyed's rows by source_name, each with the staging models whose new rows
    re-derive it (incremental_window_starts): a touch of a message or store feed is one staged
    row, dated by it (no day before); sessions, chats and link visits are derived models that
    re-derive from the day before their sources' earliest new day, so their touches do too.
-#}
{% macro touchpoints_keyed_groups() -%}
    {%- set shlink_sources = [
        ('stg_shlink__visits', 'visited_at'), ('stg_line__sends', 'sent_at'),
        ('stg_twilio__messages', 'sent_at'), ('stg_sendgrid__events', 'occurred_at'),
    ] -%}
    {{ return([
        {'name': 'line_send_log', 'sources': [('stg_line__sends', 'sent_at')],
            'day_before': false},
        {'name': 'line_events', 'sources': [('stg_line__webhook_events', 'occurred_at')],
            'day_before': false},
        {'name': 'twilio', 'sources': [('stg_twilio__messages', 'sent_at')],
            'day_before': false},
        {'name': 'sendgrid', 'sources': [('stg_sendgrid__events', 'occurred_at')],
            'day_before': false},
        {'name': 'pos', 'sources': [('stg_pos__transaction_lines', 'transacted_at')],
            'day_before': false},
        {'name': 'ga4', 'sources': [('stg_ga4__events', 'occurred_at')], 'day_before': true},
        {'name': 'shlink', 'sources': shlink_sources, 'day_before': true},
        {'name': 'inbox', 'sources': [
            ('stg_line__webhook_events', 'occurred_at'),
            ('stg_meta__messaging_events', 'occurred_at'),
        ], 'day_before': true},
    ]) }}
{%- endmacro %}

{#-
    SQL: a 64-bit hash (macro key_hash: DuckDB hash(), Spark xxhash64; order-sensitive) of
    every column of int_touchpoints_keyed but touchpoint_id (and row_hash itself), in the
    model's column order: its row_hash column, computed as the model derives its rows.
    int_touchpoints_unioned saves it (__keyed_window) and compares the re-derived days on it.
    Comparing 5.1M rows of 15 columns each (a full outer join, every column distinct) took
    2.1-2.8 s at 1M customers, the hashes 1.3-1.55 s, and the saved table is a fifth of the size;
    reading the 16 columns of 1.29M re-derived rows to hash them took 0.54-0.97 s, their stored
    hashes 0.11 s. Two different rows hash alike with probability 2^-64; a DuckDB release that
    hashes otherwise: the keyed model's pre-hook computes the column again (lookup_hashes_ensure)
    and every saved day compares as changed once (re-derived, still exact).
-#}
{% macro touchpoints_keyed_row_hash() -%}
    {%- set columns = [
        'source_name', 'channel', 'touch_type', 'campaign_id', 'identifier_type',
        'identifier_hash', 'fallback_identifier_type', 'fallback_identifier_hash',
        'identifier_hash_prefix', 'fallback_identifier_hash_prefix', 'short_code',
        'session_order_id', 'cost', 'is_engaged', 'occurred_at', 'occurred_date',
    ] -%}
    {{ return(omnichannel.key_hash(columns | join(', '))) }}
{%- endmacro %}

{#-
    int_touchpoints_keyed, first pre-hook (DuckDB, incremental): a table built before it kept
    row_hash, or whose row_hash DuckDB's hash() no longer gives, gets the column computed for
    every row (lookup_hashes_ensure), so its kept days and the re-derived ones compare alike.
-#}
{% macro touchpoints_keyed_prepare() -%}
    {%- if execute and target.type == 'duckdb' and is_incremental() -%}
        {{ return(omnichannel.lookup_hashes_ensure(['row_hash'])) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- True when the saved keyed window holds row hashes (an earlier version saved whole rows:
    hashed on the fly, saved again as hashes by the post-hook). -#}
{% macro touchpoints_keyed_window_hashed(saved_keyed) -%}
    {{ return('row_hash' in (adapter.get_columns_in_relation(saved_keyed)
        | map(attribute='name') | map('lower') | list)) }}
{%- endmacro %}

{#-
    int_touchpoints_unioned, pre-hook. Affected:
    - the keyed touches new, changed or gone since the last build on the days it saved
      (__keyed_window: every keyed row from its first day on, which is no later than the first
      day int_touchpoints_keyed can re-derive in this run, as touchpoint_id, occurred_date and
      its row_hash (touchpoints_keyed_row_hash, kept by the keyed model): a full outer join on
      touchpoint_id, hash distinct), from the earliest window int_touchpoints_keyed re-derived since
      this model's last build on (its __windows log, record_incremental_window; no run of it
      since: no day; no log: every saved day);
    - every touch, here or in the keyed stream, from that window's start (no log: the lookback
      days before this model's latest touch) up to the saved days (none, unless the window or
      incremental_lookback_days grew, or nothing was saved);
    A full build of int_touchpoints_keyed since this model's last build (its log says so) makes
    this a full build too: it can have changed any day.
    - the keyed touches whose identifier or fallback identifier maps to another
      (customer_id, is_erased) than in the map the last build saved (__identifiers, a full outer
      join on identifier_key: merges, splits, exclusions, erasures, identifiers that now
      resolve), found on their 60-bit hash prefixes (a touch of another identifier with the
      same prefix, 2^-60 per pair, is derived again unchanged);
    - Twilio touches whose short link's campaigns changed (__short_links).
-#}
{% macro touchpoints_unioned_prepare() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.touch_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set keyed = ref('int_touchpoints_keyed') -%}
    {%- set customers = ref('int_customers_stitched') -%}
    {%- set visits = ref('int_short_link_visits_resolved') -%}
    {%- set saved_identifiers = omnichannel.touch_changes_state(this, 'identifiers') -%}
    {%- set saved_links = omnichannel.touch_changes_state(this, 'short_links') -%}
    {%- set saved_keyed = omnichannel.touch_changes_state(this, 'keyed_window') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set can_follow = is_incremental() and omnichannel.touch_changes_exist(
        [saved_identifiers, saved_links, saved_keyed, change_log]) -%}
    {%- set keyed_windows = omnichannel.incremental_windows_since(
        keyed, '(select max(changed_at) from ' ~ change_log ~ ')'
    ) if can_follow else none -%}
    {%- if can_follow and not keyed_windows.full -%}
        {%- if keyed_windows.known -%}
            {%- set window_start = "cast('" ~ (keyed_windows.start or '9999-12-31')
                ~ " 00:00:00' as timestamp)" -%}
        {%- else -%}
            {%- set window_start = omnichannel.incremental_window_start('occurred_at') -%}
        {%- endif -%}
        {%- set saved_from = run_query(
            'select min(occurred_date) from ' ~ saved_keyed).columns[0].values()[0] -%}
        {#- The saved keyed rows are every row from their first day on (none saved: every
            window day is re-derived). -#}
        {%- set saved_start = "cast('" ~ (saved_from or '9999-12-31') ~ "' as date)" -%}
        {#- Keyed rows before this day are as int_touchpoints_keyed had them at the last build -#}
        {%- set compare_start = ('greatest(' ~ saved_start ~ ', cast(' ~ window_start
            ~ ' as date))') if keyed_windows.known else saved_start -%}
        {%- set stitched_log = omnichannel.touch_changes_state(customers, 'changes') -%}
        create or replace temp table {{ this.identifier }}__changed_keys as
        {% if omnichannel.touch_changes_can_follow(change_log, [stitched_log]) %}
            {#- every key whose row int_customers_stitched derived again since this model's
                last run (changed, appeared or vanished) -#}
            select distinct identifier_key from {{ stitched_log }}
            where
                identifier_key is not null
                and changed_at > (select max(changed_at) from {{ change_log }})
        {% else %}
            {#- no key log to follow (var identity_incremental off, or int_customers_stitched
                rebuilt in full since): the keys whose row differs from the saved map;
                identifier_key is the key of both (a full outer join is cheaper than EXCEPT) -#}
            select coalesce(current_map.identifier_key, saved_map.identifier_key) as identifier_key
            from {{ customers }} as current_map
            full outer join {{ saved_identifiers }} as saved_map
                on current_map.identifier_key = saved_map.identifier_key
            where
                current_map.identifier_key is null
                or saved_map.identifier_key is null
                or current_map.customer_id is distinct from saved_map.customer_id
                or current_map.is_erased is distinct from saved_map.is_erased
        {% endif %};

        {#- the changed keys' hash prefixes (macro identifier_hash_prefix): the keyed stream is
            joined on its 8-byte prefix columns instead of its type and hash strings (at 1M
            customers the two joins read 18.7M rows of each); a prefix another identifier
            shares (2^-60 per pair) only adds a touch derived again unchanged -#}
        create or replace temp table {{ this.identifier }}__changed_prefixes as
        select distinct
            {{ omnichannel.identifier_hash_prefix(
                dbt.split_part('identifier_key', "':'", 2)) }} as identifier_hash_prefix
        from {{ this.identifier }}__changed_keys;

        create or replace temp table {{ this.identifier }}__changed_links as
        with
        current_links as (
            select distinct short_code, campaign_id from {{ visits }}
        ),
        saved_links as (
            select short_code, campaign_id from {{ saved_links }}
        ),
        added as (select * from current_links except select * from saved_links),
        removed as (select * from saved_links except select * from current_links)
        select short_code from added
        union
        select short_code from removed;

        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        with
        current_window as (
            select touchpoint_id, row_hash
            from {{ keyed }}
            where occurred_date >= {{ compare_start }}
        ),
        saved_window as (
            select
                touchpoint_id,
                {{ 'row_hash' if omnichannel.touchpoints_keyed_window_hashed(saved_keyed)
                    else omnichannel.touchpoints_keyed_row_hash() }} as row_hash
            from {{ saved_keyed }}
            where occurred_date >= {{ compare_start }}
        ),
        window_changes as (
            select coalesce(current_window.touchpoint_id, saved.touchpoint_id) as touchpoint_id
            from current_window
            full outer join saved_window as saved
                on current_window.touchpoint_id = saved.touchpoint_id
            where
                current_window.touchpoint_id is null
                or saved.touchpoint_id is null
                or current_window.row_hash != saved.row_hash
        )
        select touchpoint_id from window_changes
        union
        select touchpoint_id from {{ this }}
        where
            occurred_at >= {{ window_start }}
            and occurred_at < cast({{ saved_start }} as timestamp)
        union
        select touchpoint_id from {{ keyed }}
        where
            occurred_date >= cast({{ window_start }} as date)
            and occurred_date < {{ saved_start }}
        union
        {# one IN per column: DuckDB then filters the scan itself with a Bloom filter of the
            prefixes, reading touchpoint_id only where they match (0.12 s warm at 1M customers,
            against 0.58 s for one scan with both INs, which it joins, and 0.81 s for the two
            string columns) #}
        select touchpoint_id from {{ keyed }}
        where identifier_hash_prefix in (
            select changed.identifier_hash_prefix
            from {{ this.identifier }}__changed_prefixes as changed
        )
        union
        select touchpoint_id from {{ keyed }}
        where fallback_identifier_hash_prefix in (
            select changed.identifier_hash_prefix
            from {{ this.identifier }}__changed_prefixes as changed
        )
        union
        select touchpoint_id from {{ keyed }}
        where
            source_name = 'twilio'
            and short_code in (select short_code from {{ this.identifier }}__changed_links);

        {{ omnichannel.touch_changes_delete_affected() }}
    {%- else -%}
        {{ omnichannel.touch_changes_prepare_full('select touchpoint_id from ' ~ keyed) }}
    {%- endif -%}
{%- endmacro %}

{#- int_touchpoints_unioned, post-hook: save the maps this build used, log the run. -#}
{% macro touchpoints_unioned_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set saved_identifiers = omnichannel.touch_changes_state(this, 'identifiers') -%}
    {%- set saved_links = omnichannel.touch_changes_state(this, 'short_links') -%}
    {%- set saved_keyed = omnichannel.touch_changes_state(this, 'keyed_window') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- if not omnichannel.touch_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop(
            [saved_identifiers, saved_links, saved_keyed, change_log])) }}
    {%- endif -%}
    {%- set keyed = ref('int_touchpoints_keyed') -%}
    {%- set customers = ref('int_customers_stitched') -%}
    {%- set visits = ref('int_short_link_visits_resolved') -%}
    {%- set full = omnichannel.touch_changes_was_full() -%}
    {#- The keyed rows of the days the next run of int_touchpoints_keyed can re-derive (its
        window starts at most incremental_lookback_days before the latest day; one day more
        for safety). An incremental run updates them: drops the days before that, replaces the
        touches it re-derived, adds the days before the rows it had (a longer lookback). -#}
    {%- set next_start = '(select max(occurred_date) from ' ~ keyed ~ ') - '
        ~ (var('incremental_lookback_days') | int + 1) -%}
    {#- as a constant (int_touchpoints_keyed is built by now): zone maps then skip its row
        groups of older days, which a scalar subquery in the filter cannot (the insert below
        read all of it, 18.7M rows at 1M customers) -#}
    {%- set next_start_day = run_query(
        'select cast(' ~ next_start ~ ' as varchar)').columns[0].values()[0] -%}
    {%- if next_start_day -%}
        {%- set next_start = "cast('" ~ next_start_day ~ "' as date)" -%}
    {%- endif -%}
    {%- set saved_columns = 'touchpoint_id, occurred_date, row_hash' -%}
    {% if full or not omnichannel.touchpoints_keyed_window_hashed(saved_keyed) %}
        create or replace table {{ saved_keyed }} as
        select {{ saved_columns }} from {{ keyed }}
        where occurred_date >= {{ next_start }};
    {% else %}
        {%- set saved_from = run_query(
            'select min(occurred_date) from ' ~ saved_keyed).columns[0].values()[0] -%}
        {#- one condition per statement: `a or b in (...)` is planned as a mark join over
            every row, where a lone IN filters the scan (a Bloom filter) and a date range
            skips row groups -#}
        delete from {{ saved_keyed }}
        where occurred_date < {{ next_start }};
        delete from {{ saved_keyed }}
        where touchpoint_id in (
            select touchpoint_id from {{ omnichannel.touch_changes_affected() }}
        );
        insert into {{ saved_keyed }}
        select {{ saved_columns }} from {{ keyed }}
        where
            occurred_date >= {{ next_start }}
            and touchpoint_id in (
                select touchpoint_id from {{ omnichannel.touch_changes_affected() }}
            )
        union
        select {{ saved_columns }} from {{ keyed }}
        where
            occurred_date >= {{ next_start }}
            and occurred_date < cast('{{ saved_from or '9999-12-31' }}' as date);
    {% endif %}
    {% if full %}
        create or replace table {{ saved_identifiers }} as
        select identifier_key, customer_id, is_erased from {{ customers }};
        create or replace table {{ saved_links }} as
        select distinct short_code, campaign_id from {{ visits }};
    {% else %}
        delete from {{ saved_identifiers }}
        where identifier_key in (select identifier_key from {{ this.identifier }}__changed_keys);
        insert into {{ saved_identifiers }}
        select identifier_key, customer_id, is_erased from {{ customers }}
        where identifier_key in (select identifier_key from {{ this.identifier }}__changed_keys);
        delete from {{ saved_links }}
        where short_code in (select short_code from {{ this.identifier }}__changed_links);
        insert into {{ saved_links }}
        select distinct short_code, campaign_id from {{ visits }}
        where short_code in (select short_code from {{ this.identifier }}__changed_links);
        drop table {{ this.identifier }}__changed_keys;
        drop table {{ this.identifier }}__changed_prefixes;
        drop table {{ this.identifier }}__changed_links;
    {% endif %}
    {{ omnichannel.touch_changes_log(change_log, full) }}
{%- endmacro %}

{#-
    int_touch_consents_checked, pre-hook. The state is the customers' granted intervals (__grants:
    customer_id, channel, valid_from, valid_to) and every consent event's subject and the
    customer it resolved to (__events), both as of this model's last build; the model's SQL
    joins the touches with __grants once the pre-hook has brought it up to date.
    Incremental (the states and the logs of int_touchpoints_unioned and int_customers_stitched
    can be followed): a customer's intervals are a function of the consent events of the
    subjects that resolve to it, so only the customers consent_changes_prepare lists can have
    other intervals (macros/consent_changes.sql: those, before and now, of consent events
    staged since and of subjects int_customers_stitched logged since). Their intervals are
    derived again from their subjects' events (macro touch_consent_granted_intervals over just
    those) and replace theirs in __grants. Affected touches: those int_touchpoints_unioned
    logged since this model's last run, and the touches of every (customer_id, channel) whose
    intervals changed. Otherwise (first build, --full-refresh, a log or state missing, a
    producer rebuilt in full or pruned since): both states are derived in full, every touch is
    affected.
-#}
{% macro touch_consents_checked_prepare() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.touch_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set saved_grants = omnichannel.touch_changes_state(this, 'grants') -%}
    {%- set saved_events = omnichannel.touch_changes_state(this, 'events') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set producer_log = omnichannel.touch_changes_state(touchpoints, 'changes') -%}
    {%- set temp_prefix = 'temp.' ~ this.identifier -%}
    {% if is_incremental() and omnichannel.touch_changes_exist([saved_grants, saved_events])
        and omnichannel.touch_changes_can_follow(
            change_log, [producer_log, omnichannel.consent_changes_customers_log()]) %}
        {{ omnichannel.consent_changes_prepare(saved_events, change_log) }}

        create or replace temp table {{ this.identifier }}__grants_now as
        with
        {{ omnichannel.touch_consent_granted_intervals(
            temp_prefix ~ '__customer_events', temp_prefix ~ '__customer_subjects') }}
        final as (select * from granted_intervals)
        select * from final;

        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        with
        current_grants as (
            select customer_id, channel, valid_from, valid_to
            from {{ temp_prefix }}__grants_now
        ),
        saved as (
            select customer_id, channel, valid_from, valid_to from {{ saved_grants }}
            where customer_id in (select customer_id from {{ temp_prefix }}__customers)
        ),
        added as (select * from current_grants except select * from saved),
        removed as (select * from saved except select * from current_grants),
        changed_grants as (
            select customer_id, channel from added
            union
            select customer_id, channel from removed
        )
        {{ omnichannel.touch_changes_since(change_log, [producer_log]) }}
        union
        select touchpoints.touchpoint_id
        from {{ touchpoints }} as touchpoints
        inner join changed_grants
            on
                touchpoints.customer_id = changed_grants.customer_id
                and touchpoints.channel = changed_grants.channel;

        delete from {{ saved_grants }}
        where customer_id in (select customer_id from {{ temp_prefix }}__customers);
        insert into {{ saved_grants }}
        select customer_id, channel, valid_from, valid_to from {{ temp_prefix }}__grants_now;

        {{ omnichannel.touch_changes_delete_affected() }}
        {{ omnichannel.consent_changes_drop(['grants_now']) }}
    {% else %}
        create or replace table {{ saved_grants }} as
        with
        {{ omnichannel.touch_consent_granted_intervals(
            ref('stg_consent__events'), ref('int_customers_stitched')) }}
        final as (select * from granted_intervals)
        select * from final;
        create or replace table {{ saved_events }} as
        {{ omnichannel.consent_changes_event_subjects() }};
        {{ omnichannel.touch_changes_prepare_full('select touchpoint_id from ' ~ touchpoints) }}
    {% endif %}
{%- endmacro %}

{#- int_touch_consents_checked, post-hook: log the run (with the var off: drop the state). -#}
{% macro touch_consents_checked_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set saved_grants = omnichannel.touch_changes_state(this, 'grants') -%}
    {%- set saved_events = omnichannel.touch_changes_state(this, 'events') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- if not omnichannel.touch_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([saved_grants, saved_events, change_log])) }}
    {%- endif -%}
    {{ omnichannel.touch_changes_log(change_log, omnichannel.touch_changes_was_full()) }}
{%- endmacro %}

{#-
    The touchpoints mart: its change log (run markers only) is kept in the schema of
    int_touch_consents_checked, so the marts schema holds marts only.
-#}
{% macro touchpoints_mart_log() -%}
    {%- set consents = ref('int_touch_consents_checked') -%}
    {{ return(api.Relation.create(database=consents.database, schema=consents.schema,
        identifier=this.identifier ~ '__changes')) }}
{%- endmacro %}

{#- The touchpoints mart, pre-hook. Affected: what either input logged since its last run. -#}
{% macro touchpoints_mart_prepare() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not omnichannel.touch_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set producer_logs = [
        omnichannel.touch_changes_state(touchpoints, 'changes'),
        omnichannel.touch_changes_state(ref('int_touch_consents_checked'), 'changes'),
    ] -%}
    {%- set change_log = omnichannel.touchpoints_mart_log() -%}
    {% if is_incremental() and omnichannel.touch_changes_can_follow(change_log, producer_logs) %}
        create or replace temp table {{ omnichannel.touch_changes_affected() }} as
        {{ omnichannel.touch_changes_since(change_log, producer_logs) }};

        {{ omnichannel.touch_changes_delete_affected() }}
    {% else %}
        {{ omnichannel.touch_changes_prepare_full('select touchpoint_id from ' ~ touchpoints) }}
    {% endif %}
{%- endmacro %}

{#- The touchpoints mart, post-hook: log the run (markers only: nothing reads its ids). -#}
{% macro touchpoints_mart_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set change_log = omnichannel.touchpoints_mart_log() -%}
    {%- if not omnichannel.touch_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([change_log])) }}
    {%- endif -%}
    {{ omnichannel.touch_changes_log(
        change_log, omnichannel.touch_changes_was_full(), log_touches=false) }}
{%- endmacro %}
