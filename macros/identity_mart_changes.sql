{#-
    Incremental customer identifiers on DuckDB (var identity_incremental; doc
    identity_marts_incremental): int_customer_identifier_sources, and the two per-customer
    aggregates of it, the customer_identifiers mart and int_customer_identifiers_counted, follow
    change logs instead of reading every identifier (logs as in identity_changes_log:
    source_name, record_key, identifier_key, is_full, changed_at; a run marker; the latest three
    runs; a full build starts the log again with the full marker).
    - int_customer_identifier_sources: a row is a function of its identifier's occurrences and
      of its (customer_id, is_erased) in int_customers_stitched. The affected identifier keys
      are those int_identifiers_unioned logged since its last run (an occurrence of theirs was
      deleted or inserted) and those int_customers_stitched logged (every key that model derived
      again: new customer id, component, erasure, new or vanished identifier). Their rows are
      deleted and derived again. It logs those keys (source_name 'key') and the customers whose
      rows it deleted or inserted (source_name 'customer', record_key the customer_id: the old
      and the new customer of each affected key; an erased customer's rows are deleted and not
      inserted again, so it is logged too).
    - customer_identifiers and int_customer_identifiers_counted: each row aggregates one
      customer's rows of int_customer_identifier_sources, so each deletes and aggregates again
      the customers int_customer_identifier_sources logged since its last run (a customer with
      no rows left simply has none), and logs those customers. The mart's log is kept beside
      int_customer_identifier_sources (the marts schema holds marts only).
    A model that cannot follow its producers' logs (missing, rebuilt in full or pruned since its
    last run) rebuilds in full. With the var off the models are plain tables and their
    post-hooks drop the logs; Spark: plain tables, no hooks.
-#}

{#- The change log of the current model, kept beside int_customer_identifier_sources. -#}
{% macro identity_mart_log() -%}
    {%- set sources = ref('int_customer_identifier_sources') -%}
    {{ return(api.Relation.create(database=sources.database, schema=sources.schema,
        identifier=this.identifier ~ '__changes')) }}
{%- endmacro %}

{#-
    int_customer_identifier_sources, pre-hook. Incremental: the affected keys (temp affected
    table, source_name 'key') are those int_identifiers_unioned and int_customers_stitched
    logged since this model's last run; the customers of their rows are kept (temp
    __old_customers, for the log) and their rows deleted. When it cannot follow those logs every
    row is deleted and every key of int_customers_stitched is affected (with the full marker).
    Full build: the affected table holds only the full marker.
-#}
{% macro customer_identifier_sources_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set old_customers = omnichannel.identity_changes_temp('old_customers') -%}
    {%- set customers = ref('int_customers_stitched') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set producer_logs = [
        omnichannel.touch_changes_state(ref('int_identifiers_unioned'), 'changes'),
        omnichannel.touch_changes_state(customers, 'changes'),
    ] -%}
    {% if is_incremental() and omnichannel.touch_changes_can_follow(change_log, producer_logs) %}
        create or replace temp table {{ affected }} as
        {{ omnichannel.identity_tail_logged_keys(change_log, producer_logs) }};

        {#- one scan finds the affected keys' rows: their customers and row ids, which the
            delete then reads (it scanned the table again) -#}
        create or replace temp table {{ old_customers }} as
        select rowid as row_id, customer_id from {{ this }}
        where identifier_key in (select record_key from {{ affected }});

        delete from {{ this }}
        where rowid in (select old_customers.row_id from {{ old_customers }} as old_customers);
    {% else %}
        create or replace temp table {{ affected }} as
        select cast(null as varchar) as source_name, cast(null as varchar) as record_key
        {%- if is_incremental() %}
            union all
            select 'key' as source_name, identifier_key as record_key
            from {{ customers }}
        {%- endif %};
        {% if is_incremental() %}
            delete from {{ this }};
        {% endif %}
    {% endif %}
{%- endmacro %}

{#-
    int_customer_identifier_sources, post-hook: log the affected keys and the old and new
    customers of their rows (a full build: the full marker), drop the temp tables and the map
    of int_customers_stitched earlier versions saved (__identifiers).
-#}
{% macro customer_identifier_sources_finish() -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set logged -%}
        select 'key' as source_name, null as record_key, affected.record_key as identifier_key
        from {{ affected }} as affected
        union all
        select 'customer' as source_name, changed.customer_id as record_key, null as identifier_key
        from (
            select old_customers.customer_id
            from {{ omnichannel.identity_changes_temp('old_customers') }} as old_customers
            union
            select inserted.customer_id
            from {{ omnichannel.incremental_new_rows(
                'select * from ' ~ this ~ ' where identifier_key in (select record_key from '
                ~ affected ~ ')') }} as inserted
        ) as changed
    {%- endset -%}
    {{ return(omnichannel.identity_changes_finish(
        logged=logged, temp_suffixes=['affected', 'old_customers'],
        state=[omnichannel.touch_changes_state(this, 'identifiers')])) }}
{%- endmacro %}

{#-
    customer_identifiers / int_customer_identifiers_counted, pre-hook. Incremental: the affected
    customers (temp affected table, source_name 'customer', record_key the customer_id) are
    those int_customer_identifier_sources logged since this model's last run; their rows are
    deleted. When it cannot follow that log every row is deleted (full marker). Full build: the
    affected table holds only the full marker.
-#}
{% macro identity_mart_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set change_log = omnichannel.identity_mart_log() -%}
    {%- set producer_log = omnichannel.touch_changes_state(
        ref('int_customer_identifier_sources'), 'changes') -%}
    {% if is_incremental() and omnichannel.touch_changes_can_follow(change_log, [producer_log]) %}
        create or replace temp table {{ affected }} as
        select distinct 'customer' as source_name, log.record_key
        from {{ producer_log }} as log
        where
            log.source_name = 'customer'
            and log.changed_at > (select max(own.changed_at) from {{ change_log }} as own);

        delete from {{ this }}
        where customer_id in (select record_key from {{ affected }});
    {% else %}
        {{ omnichannel.identity_tail_prepare_full() }}
    {% endif %}
{%- endmacro %}

{#-
    customer_identifiers / int_customer_identifiers_counted, post-hook: log the customers the
    run aggregated again (source_name 'customer'; a full build: the full marker), drop the
    affected table.
-#}
{% macro identity_mart_finish() -%}
    {{ return(omnichannel.identity_changes_finish(
        logged='select affected.source_name, affected.record_key, null as identifier_key from '
            ~ omnichannel.identity_changes_temp('affected') ~ ' as affected',
        change_log=omnichannel.identity_mart_log())) }}
{%- endmacro %}
