{#-
    Incremental identity tail on DuckDB (var identity_incremental; doc identity_incremental):
    the models after int_identifier_pairs follow change logs instead of reading all history.
    Every log has the columns of int_identifiers_unioned__changes (source_name, record_key,
    identifier_key, is_full, changed_at; a run marker with null keys; the latest three runs;
    a full build starts it again with the full marker), and a consumer that cannot follow its
    producers' logs (macro touch_changes_can_follow) rebuilds in full.
    - int_identifiers_excluded re-derives the identifier keys int_identifiers_unioned logged
      since its last run for records that make pairs (their pairs and degrees can have
      changed; no other identifier's can), and those logged for any record that are on the
      junk list (a blocklist hit needs an occurrence), and logs the keys whose
      exclusion flipped (source_name 'excluded'). The junk list and the rule vars it used are
      saved beside it (__settings): when they differ it rebuilds in full.
    - int_identity_edges re-derives every edge with an end among the keys int_identifiers_unioned
      logged for records that make pairs (not the single-identifier feeds) and the keys
      int_identifiers_excluded logged as flipped (a flip follows a pair change of the key's
      own, or a junk key's first or last occurrence while it has no pair: the flipped keys
      are a safeguard, already covered).
    - int_identity_components (materialization connected_components) logs the nodes whose
      component_id changed, appeared or vanished (source_name 'component').
    - int_customer_id_assignments evaluates only the components holding such a node or a node
      of a customer such a node belonged to, reading the prior ids from its state
      (__current: latest customer_id per identifier; __customers: first assigned_at per
      customer id), and logs the identifiers it appended a row for (source_name 'assigned').
    - int_customers_stitched re-derives the identifiers those two logged and every identifier
      of a customer whose erasure state changed, and logs those keys (source_name 'key'),
      which int_customer_identifier_sources follows (macros/identity_mart_changes.sql).
    With the var off the models are plain tables (int_customer_id_assignments stays
    incremental, reading its history) and their post-hooks drop the logs and state; Spark:
    plain tables, no hooks.
-#}

{#- The event feeds whose records carry more than one identifier column (their records make
    pairs): source_name -> (staging model, key column); see identity_event_feeds. -#}
{% macro identity_pairing_feeds() -%}
    {%- set pairing_feeds = {} -%}
    {%- for feed, staged in omnichannel.identity_event_feeds().items() -%}
        {%- set columns = [] -%}
        {%- for source_name, _, _, _, identifiers in omnichannel.identity_occurrences() -%}
            {%- if source_name == feed %}{% do columns.extend(identifiers) %}{% endif -%}
        {%- endfor -%}
        {%- if columns | length > 1 %}{% do pairing_feeds.update({feed: staged}) %}{% endif -%}
    {%- endfor -%}
    {{ return(pairing_feeds) }}
{%- endmacro %}

{#- SQL list of the event feeds whose records carry one identifier column (they make no pair). -#}
{% macro identity_single_identifier_feeds() -%}
    {%- set pairing_feeds = omnichannel.identity_pairing_feeds() -%}
    {%- set names = omnichannel.identity_event_feeds().keys() | reject('in', pairing_feeds)
        | sort -%}
    {{ return("'" ~ names | join("', '") ~ "'") }}
{%- endmacro %}

{#-
    SQL condition for a model's select on an incremental run: `column` is one of the identifier
    keys of the run's affected table (temp.<model>__affected: source_name 'key', record_key the
    identifier key), or the table holds the full marker (every key is affected).
-#}
{% macro identity_tail_affects(column) -%}
    (
        {{ column }} in (
            select affected.record_key
            from {{ omnichannel.identity_changes_temp('affected') }} as affected
        )
        or exists (
            select 1
            from {{ omnichannel.identity_changes_temp('affected') }} as affected
            where affected.source_name is null
        )
    )
{%- endmacro %}

{#- Pre-hook SQL of a full build: the affected table holds only the full marker; an
    incremental model's rows are all deleted (re-derived). -#}
{% macro identity_tail_prepare_full() -%}
    create or replace temp table {{ omnichannel.identity_changes_temp('affected') }} as
    select cast(null as varchar) as source_name, cast(null as varchar) as record_key;
    {% if is_incremental() %}
        delete from {{ this }};
    {% endif %}
{%- endmacro %}

{#- SQL: the identifier keys the producers' logs hold after the consumer's watermark (`where`,
    when given, filters the log rows further). -#}
{% macro identity_tail_logged_keys(own_log, producer_logs, where=none) -%}
    {%- for producer_log in producer_logs %}
        {% if not loop.first %}union{% endif %}
        select 'key' as source_name, log.identifier_key as record_key
        from {{ producer_log }} as log
        where
            log.identifier_key is not null
            and log.changed_at > (select max(own.changed_at) from {{ own_log }} as own)
            {%- if where %}
                and {{ where }}
            {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#-
    SQL: the salted hash of a junk_identifiers row's identifier_value, normalised as staging
    normalises an identifier of its identifier_type (int_identifiers_excluded matches it against
    the occurrences; its pre-hook saves it with the settings).
-#}
{% macro junk_identifier_hash() -%}
    case identifier_type
        when 'email' then {{ omnichannel.hash_pii(omnichannel.normalize_email('identifier_value')) }}
        when 'phone' then {{ omnichannel.hash_pii(omnichannel.normalize_phone('identifier_value')) }}
        else {{ omnichannel.hash_pii('trim(identifier_value)') }}
    end
{%- endmacro %}

{#-
    SQL: the junk list (seed junk_identifiers, hashed) and the exclusion vars as rows
    (identifier_type, identifier_hash, reason): what int_identifiers_excluded's rules read
    besides the occurrences and pairs.
-#}
{% macro identifiers_excluded_settings() -%}
    select
        identifier_type,
        {{ omnichannel.junk_identifier_hash() }} as identifier_hash,
        reason
    from {{ ref('junk_identifiers') }}
    union all
    select
        'var' as identifier_type,
        '{{ var('identity_max_degree') }}|{{ var('identity_max_members_per_identifier') }}'
            as identifier_hash,
        'identity_max_degree|identity_max_members_per_identifier' as reason
{%- endmacro %}

{#-
    int_identifiers_excluded, pre-hook. Incremental: the affected keys are those
    int_identifiers_unioned logged since this model's last run; the ones excluded before are
    kept (temp __was_excluded, to log the flips) and their rows deleted. It rebuilds in full
    when it cannot follow int_identifiers_unioned's or int_identifier_pairs' log, or the junk
    list or the rule vars differ from those it saved (__settings).
-#}
{% macro identifiers_excluded_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set was_excluded = omnichannel.identity_changes_temp('was_excluded') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set settings = omnichannel.touch_changes_state(this, 'settings') -%}
    {%- set producer_logs = [
        omnichannel.touch_changes_state(ref('int_identifiers_unioned'), 'changes'),
        omnichannel.touch_changes_state(ref('int_identifier_pairs'), 'changes'),
    ] -%}
    {%- set follow = is_incremental() and omnichannel.touch_changes_exist([settings])
        and omnichannel.touch_changes_can_follow(change_log, producer_logs) -%}
    {%- if follow -%}
        {%- set follow = run_query(
            'with now_settings as (' ~ omnichannel.identifiers_excluded_settings() ~ ')'
            ~ ' select count(*) from ((select * from now_settings except select * from '
            ~ settings ~ ') union all (select * from ' ~ settings
            ~ ' except select * from now_settings))'
        ).columns[0].values()[0] == 0 -%}
    {%- endif -%}
    {% if follow %}
        {#- a record of a single-identifier feed changes no pair: its identifiers matter only
            when on the junk list (a first or last occurrence) -#}
        create or replace temp table {{ affected }} as
        {{ omnichannel.identity_tail_logged_keys(change_log, producer_logs[:1],
            'log.source_name not in (' ~ omnichannel.identity_single_identifier_feeds() ~ ')') }}
        union
        {{ omnichannel.identity_tail_logged_keys(change_log, producer_logs[:1],
            'log.identifier_key in (select ' ~ omnichannel.identifier_key(
                'junk.identifier_type', 'junk.identifier_hash')
            ~ ' from ' ~ settings ~ " as junk where junk.identifier_type <> 'var')") }};

        create or replace temp table {{ was_excluded }} as
        select distinct identifier_key from {{ this }}
        where identifier_key in (select record_key from {{ affected }});

        delete from {{ this }}
        where identifier_key in (select record_key from {{ affected }});
    {% else %}
        {{ omnichannel.identity_tail_prepare_full() }}
    {% endif %}
{%- endmacro %}

{#- int_identifiers_excluded, post-hook: log the affected keys whose exclusion flipped, save
    the settings after a full build. -#}
{% macro identifiers_excluded_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set settings = omnichannel.touch_changes_state(this, 'settings') -%}
    {%- if not omnichannel.identity_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([change_log, settings])) }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set was_excluded = omnichannel.identity_changes_temp('was_excluded') -%}
    {%- set full = omnichannel.identity_changes_was_full()
        or not omnichannel.touch_changes_exist([change_log, settings]) -%}
    {% if full %}
        create or replace table {{ settings }} as
        {{ omnichannel.identifiers_excluded_settings() }};
    {% endif %}
    {{ omnichannel.identity_changes_log(
        change_log, full, [affected, was_excluded],
        'select distinct \'excluded\' as source_name, null as record_key, flipped.identifier_key'
        ~ ' from ((select identifier_key from ' ~ was_excluded ~ ' except select identifier_key'
        ~ ' from ' ~ this ~ ') union all (select identifier_key from ' ~ this
        ~ ' where identifier_key in (select record_key from ' ~ affected ~ ')'
        ~ ' except select identifier_key from ' ~ was_excluded ~ ')) as flipped') }}
{%- endmacro %}

{#-
    int_identity_edges, pre-hook. Incremental: the affected keys are those
    int_identifiers_unioned logged since this model's last run for records that make pairs, and
    those int_identifiers_excluded logged as flipped; every edge with an end among them is
    deleted (and derived again). It rebuilds in full when it cannot follow those logs or
    int_identifier_pairs'.
-#}
{% macro identity_edges_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set unioned_log = omnichannel.touch_changes_state(ref('int_identifiers_unioned'), 'changes') -%}
    {%- set excluded_log = omnichannel.touch_changes_state(ref('int_identifiers_excluded'), 'changes') -%}
    {%- set pairs_log = omnichannel.touch_changes_state(ref('int_identifier_pairs'), 'changes') -%}
    {% if is_incremental()
        and omnichannel.touch_changes_can_follow(change_log, [unioned_log, pairs_log, excluded_log]) %}
        create or replace temp table {{ affected }} as
        {{ omnichannel.identity_tail_logged_keys(change_log, [unioned_log],
            'log.source_name not in (' ~ omnichannel.identity_single_identifier_feeds() ~ ')') }}
        union
        {{ omnichannel.identity_tail_logged_keys(change_log, [excluded_log]) }};

        delete from {{ this }}
        where
            identifier_key_a in (select record_key from {{ affected }})
            or identifier_key_b in (select record_key from {{ affected }});
    {% else %}
        {{ omnichannel.identity_tail_prepare_full() }}
    {% endif %}
{%- endmacro %}

{#- SQL: the latest customer_id of each identifier_key in `relation` (assignment history). -#}
{% macro latest_customer_assignments(relation) -%}
    select
        identifier_key,
        customer_id
    from (
        select
            identifier_key,
            customer_id,
            row_number() over (
                partition by identifier_key
                order by assigned_at desc
            ) as recency_rank
        from {{ relation }}
    ) as latest_ranked
    where recency_rank = 1
{%- endmacro %}

{#- The assigned_at of the rows int_customer_id_assignments appends in this run (the run's
    start, to the second), as SQL. -#}
{% macro customer_id_assigned_at() -%}
    {{ return("cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as "
        ~ api.Column.translate_type('timestamp') ~ ")") }}
{%- endmacro %}

{#- SQL: (re)build int_customer_id_assignments' state from its whole history: __current (the
    latest customer_id of each identifier) and __customers (each customer id's first
    assigned_at). -#}
{% macro customer_id_assignments_state_rebuild(current_state, customers_state) -%}
    create or replace table {{ current_state }} as
    {{ omnichannel.latest_customer_assignments(this) }};

    create or replace table {{ customers_state }} as
    select customer_id, min(assigned_at) as customer_created_at
    from {{ this }}
    group by customer_id;
{%- endmacro %}

{#-
    int_customer_id_assignments, pre-hook. Incremental: the affected components (record_key:
    component_id) are the current components holding a node int_identity_components logged
    since this model's last run, or a node whose current customer is the current customer of
    such a node. No other component's assignment can change: its nodes all carry one customer
    id, which no node of another component carries (doc identity_incremental). When it cannot
    follow the log (or its state is missing) the state is rebuilt from the history and every
    component is affected (full marker). First build: the marker (null, 'fresh') says the
    history starts again.
-#}
{% macro customer_id_assignments_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set components = ref('int_identity_components') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set current_state = omnichannel.touch_changes_state(this, 'current') -%}
    {%- set customers_state = omnichannel.touch_changes_state(this, 'customers') -%}
    {%- set components_log = omnichannel.touch_changes_state(components, 'changes') -%}
    {% if not is_incremental() %}
        create or replace temp table {{ affected }} as
        select cast(null as varchar) as source_name, 'fresh' as record_key;
    {% elif omnichannel.touch_changes_exist([current_state, customers_state])
        and omnichannel.touch_changes_can_follow(change_log, [components_log]) %}
        create or replace temp table {{ affected }} as
        with
        logged as (
            {{ omnichannel.identity_tail_logged_keys(change_log, [components_log]) }}
        ),
        logged_customers as (
            select distinct current_state.customer_id
            from {{ current_state }} as current_state
            inner join logged
                on current_state.identifier_key = logged.record_key
        ),
        touched_nodes as (
            select record_key as node from logged
            union
            select current_state.identifier_key as node
            from {{ current_state }} as current_state
            inner join logged_customers
                on current_state.customer_id = logged_customers.customer_id
        )
        select distinct 'component' as source_name, components.component_id as record_key
        from {{ components }} as components
        inner join touched_nodes
            on components.node = touched_nodes.node;
    {% else %}
        {{ omnichannel.customer_id_assignments_state_rebuild(current_state, customers_state) }}

        create or replace temp table {{ affected }} as
        select cast(null as varchar) as source_name, cast(null as varchar) as record_key;
    {% endif %}
{%- endmacro %}

{#-
    int_customer_id_assignments, post-hook: apply the rows this run appended to the state
    (built from the whole history after a first build) and log their identifiers (source_name
    'assigned'); a first build starts the log with the full marker.
-#}
{% macro customer_id_assignments_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set current_state = omnichannel.touch_changes_state(this, 'current') -%}
    {%- set customers_state = omnichannel.touch_changes_state(this, 'customers') -%}
    {%- if not omnichannel.identity_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([change_log, current_state, customers_state])) }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set fresh = run_query(
        'select count(*) from ' ~ affected
        ~ " where source_name is null and record_key = 'fresh'"
    ).columns[0].values()[0] > 0 -%}
    {%- set full = fresh or not omnichannel.touch_changes_exist([change_log]) -%}
    {%- set appended = '(select identifier_key, customer_id, assigned_at from ' ~ this
        ~ ' where assigned_at = ' ~ omnichannel.customer_id_assigned_at() ~ ')' -%}
    {% if fresh %}
        {{ omnichannel.customer_id_assignments_state_rebuild(current_state, customers_state) }}
    {% else %}
        delete from {{ current_state }}
        where identifier_key in (select appended.identifier_key from {{ appended }} as appended);

        insert into {{ current_state }}
        select appended.identifier_key, appended.customer_id from {{ appended }} as appended;

        insert into {{ customers_state }}
        select appended.customer_id, min(appended.assigned_at)
        from {{ appended }} as appended
        where appended.customer_id not in (select known.customer_id from {{ customers_state }} as known)
        group by appended.customer_id;
    {% endif %}
    {{ omnichannel.identity_changes_log(change_log, full, [affected],
        'select \'assigned\' as source_name, null as record_key, appended.identifier_key from '
        ~ appended ~ ' as appended') }}
{%- endmacro %}

{#-
    int_customers_stitched, pre-hook. Incremental: the customers erased now (an identifier of
    theirs in the graph is an erasure subject; temp __erased_now, from the current assignment
    state of int_customer_id_assignments) are compared with those the table marks erased; the
    affected keys are the nodes int_identity_components logged since this model's last run,
    the identifiers int_customer_id_assignments logged (a new customer id), and every
    identifier of a customer whose erasure state differs. Their rows are deleted. It rebuilds
    in full when it cannot follow those logs.
-#}
{% macro customers_stitched_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set erased_now = omnichannel.identity_changes_temp('erased_now') -%}
    {%- set components = ref('int_identity_components') -%}
    {%- set assignments = ref('int_customer_id_assignments') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set producer_logs = [
        omnichannel.touch_changes_state(components, 'changes'),
        omnichannel.touch_changes_state(assignments, 'changes'),
    ] -%}
    {% if is_incremental() %}
        create or replace temp table {{ erased_now }} as
        select distinct current_state.customer_id
        from {{ ref('stg_erasure__requests') }} as erasure_requests
        inner join {{ omnichannel.touch_changes_state(assignments, 'current') }} as current_state
            on
                current_state.identifier_key
                = {{ omnichannel.identifier_key('erasure_requests.subject_type',
                    'erasure_requests.subject_hash') }}
        where
            erasure_requests.subject_hash is not null
            and current_state.identifier_key in (select components.node from {{ components }} as components);
    {% endif %}
    {% if is_incremental() and omnichannel.touch_changes_can_follow(change_log, producer_logs) %}
        create or replace temp table {{ affected }} as
        with
        erased_before as (
            select distinct customer_id from {{ this }} where is_erased
        ),
        erasure_changed as (
            (select customer_id from {{ erased_now }} except select customer_id from erased_before)
            union all
            (select customer_id from erased_before except select customer_id from {{ erased_now }})
        )
        {{ omnichannel.identity_tail_logged_keys(change_log, producer_logs) }}
        union
        select 'key' as source_name, stitched.identifier_key as record_key
        from {{ this }} as stitched
        inner join erasure_changed
            on stitched.customer_id = erasure_changed.customer_id;

        delete from {{ this }}
        where identifier_key in (select record_key from {{ affected }});
    {% else %}
        {{ omnichannel.identity_tail_prepare_full() }}
    {% endif %}
{%- endmacro %}

