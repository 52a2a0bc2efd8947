{#-
    Incremental consent models on DuckDB (int_touch_consents_checked, int_customer_consents_latest):
    which customers' consent can have changed since a model's last build.

    A customer's consent rows are a function of the consent events (stg_consent__events) of the
    subjects (email, phone, member number, LINE user id) that resolve to it through
    int_customers_stitched, and of its erasure state. Each model keeps, beside itself, every
    consent event's subject and the customer it resolved to at the model's last build
    (<model>__events: consent_event_id, identifier_key, customer_id, _loaded_at). Only these
    customers can have other rows:
    - the customers, now and at the last build, of the subjects of the consent events staged after
      __events' latest _loaded_at (new events, and re-delivered ones, whose subject may have
      changed);
    - the customers, now and at the last build, of the subjects int_customers_stitched logged
      since the model's last run (own change log): a subject that changed customer, or was
      erased (an erasure also deletes its consent events).
    consent_changes_prepare lists them in temp <model>__customers, brings __events up to date and
    copies those customers' consent events and subjects into temp <model>__customer_events and
    <model>__customer_subjects, which the model reads instead of the whole of its inputs.
-#}

{#-
    SQL: every consent event (or those passing `where`, a condition on stg_consent__events'
    columns, applied before the join) with its subject's key and the customer it resolves to now.
-#}
{% macro consent_changes_event_subjects(where=none) -%}
    select
        events.consent_event_id,
        {{ omnichannel.identifier_key('events.subject_type', 'events.subject_hash') }}
            as identifier_key,
        customers.customer_id,
        events._loaded_at
    from (
        select * from {{ ref('stg_consent__events') }}
        {%- if where %}
            where {{ where }}
        {%- endif %}
    ) as events
    left join {{ ref('int_customers_stitched') }} as customers
        on
            {{ omnichannel.identifier_key('events.subject_type', 'events.subject_hash') }}
            = customers.identifier_key
{%- endmacro %}

{#- The log int_customers_stitched keeps of the keys it derived again. -#}
{% macro consent_changes_customers_log() -%}
    {{ return(omnichannel.touch_changes_state(ref('int_customers_stitched'), 'changes')) }}
{%- endmacro %}

{#-
    Pre-hook SQL of an incremental run (the caller checked that __events exists and that
    change_log can follow int_customers_stitched's log): the affected customers into temp
    <model>__customers, __events brought up to date, their events and subjects into temp
    <model>__customer_events and <model>__customer_subjects.
-#}
{% macro consent_changes_prepare(saved_events, change_log) -%}
    {%- set consent_events = ref('stg_consent__events') -%}
    {%- set customers = ref('int_customers_stitched') -%}
    {%- set temp_prefix = 'temp.' ~ this.identifier -%}
    {#- the watermark as a constant, so that zone maps skip the consent events staged before it
        (a scalar subquery read every row's _loaded_at) -#}
    {%- set watermark = run_query(
        'select cast(max(_loaded_at) as varchar) from ' ~ saved_events
    ).columns[0].values()[0] or '1900-01-01' %}
    create or replace temp table {{ this.identifier }}__new_events as
    select
        consent_event_id,
        {{ omnichannel.identifier_key('subject_type', 'subject_hash') }} as identifier_key
    from {{ consent_events }}
    where _loaded_at > cast('{{ watermark }}' as {{ api.Column.translate_type('timestamp') }});

    create or replace temp table {{ this.identifier }}__moved_subjects as
    {{ omnichannel.identity_tail_logged_keys(
        change_log, [omnichannel.consent_changes_customers_log()]) }};

    {#- the events derived again: the new ones and every event of a moved subject (__events
        holds each event staged before the watermark). Each lookup on one column, so that
        DuckDB filters the scan with it: `a in (...) or b in (...)` is a mark join over every
        row, and matched the subjects on a key concatenated for every consent event. -#}
    create or replace temp table {{ this.identifier }}__rederived as
    select consent_event_id from {{ temp_prefix }}__new_events
    union
    select consent_event_id from {{ saved_events }}
    where identifier_key in (select record_key from {{ temp_prefix }}__moved_subjects);

    create or replace temp table {{ this.identifier }}__customers as
    with
    subjects as (
        select identifier_key from {{ temp_prefix }}__new_events
        union
        select record_key as identifier_key from {{ temp_prefix }}__moved_subjects
    ),
    before as (
        select customer_id from {{ saved_events }}
        where consent_event_id in (select consent_event_id from {{ temp_prefix }}__new_events)
        union all
        select customer_id from {{ saved_events }}
        where identifier_key in (select identifier_key from subjects)
    ),
    now as (
        select customer_id from {{ customers }}
        where identifier_key in (select identifier_key from subjects)
    )
    select customer_id from before where customer_id is not null
    union
    select customer_id from now where customer_id is not null;

    delete from {{ saved_events }}
    where consent_event_id in (select consent_event_id from {{ temp_prefix }}__rederived);
    {#- the events filtered before the join with every stitched identifier: after it, the
        join read every consent event (1.3-1.5 s against 0.35-0.5 s at 1M customers) -#}
    insert into {{ saved_events }}
    {{ omnichannel.consent_changes_event_subjects(
        'consent_event_id in (select consent_event_id from ' ~ temp_prefix ~ '__rederived)') }};

    create or replace temp table {{ this.identifier }}__customer_events as
    select * from {{ consent_events }}
    where consent_event_id in (
        select consent_event_id from {{ saved_events }}
        where customer_id in (select customer_id from {{ temp_prefix }}__customers)
    );
    create or replace temp table {{ this.identifier }}__customer_subjects as
    select * from {{ customers }}
    where customer_id in (select customer_id from {{ temp_prefix }}__customers);
{%- endmacro %}

{#- SQL: drop the temp tables of consent_changes_prepare (and `extra` suffixes of the model). -#}
{% macro consent_changes_drop(extra=[]) -%}
    {%- for suffix in ['new_events', 'moved_subjects', 'rederived', 'customers',
        'customer_events', 'customer_subjects'] + extra %}
        drop table if exists temp.{{ this.identifier }}__{{ suffix }};
    {%- endfor %}
{%- endmacro %}

{#- True when int_customer_consents_latest builds per customer: DuckDB, var journeys_incremental. -#}
{% macro customer_consents_incremental() -%}
    {{ return(omnichannel.journey_changes_enabled()) }}
{%- endmacro %}

{#-
    int_customer_consents_latest, pre-hook. Incremental (its __events state and change log exist
    and int_customers_stitched's log can be followed): consent_changes_prepare, then the rows
    of the affected customers are deleted; the model derives them again from their events and
    subjects (temp __customer_events, __customer_subjects). Otherwise __events is derived in
    full and, on an incremental run, every row is deleted and the two temp tables hold all the
    events and subjects (temp __customers holds the full marker, a null customer_id).
-#}
{% macro customer_consents_latest_prepare() -%}
    {%- if not execute or not omnichannel.customer_consents_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set saved_events = omnichannel.touch_changes_state(this, 'events') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {% if is_incremental() and omnichannel.touch_changes_exist([saved_events])
        and omnichannel.touch_changes_can_follow(
            change_log, [omnichannel.consent_changes_customers_log()]) %}
        {{ omnichannel.consent_changes_prepare(saved_events, change_log) }}
        delete from {{ this }}
        where customer_id in (select customer_id from temp.{{ this.identifier }}__customers);
    {% else %}
        create or replace table {{ saved_events }} as
        {{ omnichannel.consent_changes_event_subjects() }};
        create or replace temp table {{ this.identifier }}__customers as
        select cast(null as varchar) as customer_id;
        {% if is_incremental() %}
            create or replace temp table {{ this.identifier }}__customer_events as
            select * from {{ ref('stg_consent__events') }};
            create or replace temp table {{ this.identifier }}__customer_subjects as
            select * from {{ ref('int_customers_stitched') }};
            delete from {{ this }};
        {% endif %}
    {% endif %}
{%- endmacro %}

{#-
    int_customer_consents_latest, post-hook: log the customers it derived again and the run (the
    full marker after a full build), drop the temp tables; with the var off drop the state and
    the log.
-#}
{% macro customer_consents_latest_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set saved_events = omnichannel.touch_changes_state(this, 'events') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- if not omnichannel.customer_consents_incremental() -%}
        {{ return(omnichannel.touch_changes_drop([saved_events, change_log])) }}
    {%- endif -%}
    {%- set full = run_query(
        'select count(*) from temp.' ~ this.identifier ~ '__customers where customer_id is null'
    ).columns[0].values()[0] > 0 -%}
    {% if not full %}
        insert into {{ change_log }}
        select customer_id, false, {{ omnichannel.touch_changes_stamp() }}
        from temp.{{ this.identifier }}__customers;
    {% endif %}
    {{ omnichannel.touch_changes_log(change_log, full, log_touches=false, key='customer_id') }}
    {{ omnichannel.consent_changes_drop() }}
{%- endmacro %}
