{#-
    int_short_link_recipients on DuckDB with var identity_incremental (doc
    short_link_recipients_incremental): the recipients of each short code are kept per (code,
    recipient) in __recipients (short_code, channel, identifier_type, identifier_hash, sent_at:
    the earliest), updated from the staged rows staged since the last run (__loaded: the latest
    _loaded_at read of each staging model), so a run reads only those. The model derives again
    the codes those rows name and the codes seen with more than one recipient in its last build
    (__shared), from __recipients. Erasure deletes the erased recipient's rows here too (their
    identifier_hash), so a code it leaves with one recipient is a shared code, derived again by
    the next run. With the var off, on --full-refresh or without its state it derives every
    code (the state is built again from all staged rows first); with the var off the post-hook
    drops the state; Spark: a plain table, no hooks.
    Its change log __changes (identity_changes_log's columns) names the codes each run derived
    again (source_name 'short_link', record_key the code; the full marker after a full build):
    int_identifiers_unioned derives again only those short_link records (doc
    identity_incremental).
-#}

{#- The state tables of int_short_link_recipients: recipients, loaded, shared. -#}
{% macro short_link_recipients_state(suffix) -%}
    {{ return(omnichannel.touch_changes_state(this, suffix)) }}
{%- endmacro %}

{#-
    SQL: the (short_code, recipient) rows of the three sends, one select per source unioned
    (short_code, channel, identifier_type, identifier_hash, sent_at). `relations` maps line,
    twilio and sendgrid to the relation (or CTE) to read: stg_line__sends (short_code and the
    LINE user), stg_twilio__messages (outbound messages, the short URL of the Body and the To
    phone), stg_sendgrid__events (the code in a click event's url, and the email).
-#}
{% macro short_link_recipients_unioned(relations) -%}
    select
        short_code,
        'line' as channel,
        'line_user_id' as identifier_type,
        {{ omnichannel.hash_pii('line_user_id') }} as identifier_hash,
        sent_at
    from {{ relations['line'] }}
    where short_code is not null and {{ omnichannel.nullif_blank('line_user_id') }} is not null
    union all
    select
        short_code,
        'sms' as channel,
        'phone' as identifier_type,
        customer_phone_hash as identifier_hash,
        sent_at
    from {{ relations['twilio'] }}
    where direction like 'outbound%' and short_code is not null
    union all
    select
        nullif(
            regexp_extract(clicked_url, '^https?://s[.]omni[.]tw/([0-9A-Za-z]+)', 1), ''
        ) as short_code,
        'email' as channel,
        'email' as identifier_type,
        email_hash as identifier_hash,
        occurred_at as sent_at
    from {{ relations['sendgrid'] }}
    where event_type = 'click'
{%- endmacro %}

{#- The staging model each source of short_link_recipients_unioned reads. -#}
{% macro short_link_recipients_sources() -%}
    {{ return({
        'line': ref('stg_line__sends'),
        'twilio': ref('stg_twilio__messages'),
        'sendgrid': ref('stg_sendgrid__events'),
    }) }}
{%- endmacro %}

{#- SQL condition of the model's incremental select: `column` is an affected short code, or
    the affected table holds the full marker (a null short_code: every code). -#}
{% macro short_link_recipients_affects(column) -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    (
        {{ column }} in (select affected.short_code from {{ affected }} as affected)
        or exists (select 1 from {{ affected }} as affected where affected.short_code is null)
    )
{%- endmacro %}

{#-
    int_short_link_recipients, pre-hook. Notes the latest _loaded_at of each staging model
    (temp __loaded_now: the rows this run reads end there). Incremental, with its state: groups
    the rows staged after the saved __loaded per (code, recipient), merges them into
    __recipients (earliest sent_at), and lists the affected codes (temp __affected: theirs and
    the __shared ones), whose rows it deletes. Otherwise builds __recipients from every staged
    row, and the affected table holds the full marker (every row deleted).
-#}
{% macro short_link_recipients_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set loaded_now = omnichannel.identity_changes_temp('loaded_now') -%}
    {%- set staged = omnichannel.identity_changes_temp('staged') -%}
    {%- set merged = omnichannel.identity_changes_temp('merged') -%}
    {%- set recipients = omnichannel.short_link_recipients_state('recipients') -%}
    {%- set loaded = omnichannel.short_link_recipients_state('loaded') -%}
    {%- set shared = omnichannel.short_link_recipients_state('shared') -%}
    {%- set sources = omnichannel.short_link_recipients_sources() -%}
    {%- set follow = is_incremental()
        and omnichannel.touch_changes_exist([recipients, loaded, shared]) -%}
    create or replace temp table {{ loaded_now }} as
    {%- for source_name, relation in sources | dictsort %}
        {% if not loop.first %}union all{% endif %}
        select '{{ source_name }}' as source_name, max(_loaded_at) as loaded_at
        from {{ relation }}
    {%- endfor %};

    {%- set read = {} -%}
    {%- for source_name, relation in sources.items() -%}
        {%- set window -%}
            (
                select * from {{ relation }}
                where
                    _loaded_at <= (
                        select now.loaded_at from {{ loaded_now }} as now
                        where now.source_name = '{{ source_name }}'
                    )
                    {%- if follow %}
                        and _loaded_at > (
                            select coalesce(max(saved.loaded_at), cast('1900-01-01' as timestamp))
                            from {{ loaded }} as saved
                            where saved.source_name = '{{ source_name }}'
                        )
                    {%- endif %}
            )
        {%- endset -%}
        {%- do read.update({source_name: window}) -%}
    {%- endfor %}

    create or replace temp table {{ staged }} as
    select
        short_code,
        channel,
        identifier_type,
        identifier_hash,
        min(sent_at) as sent_at
    from ({{ omnichannel.short_link_recipients_unioned(read) }}) as sent
    where short_code is not null and identifier_hash is not null
    group by short_code, channel, identifier_type, identifier_hash;

    {% if follow %}
        create or replace temp table {{ affected }} as
        select short_code from {{ staged }}
        union
        select short_code from {{ shared }};

        {#- a (code, recipient) seen before keeps its earliest sent_at -#}
        create or replace temp table {{ merged }} as
        select
            staged.short_code,
            staged.channel,
            staged.identifier_type,
            staged.identifier_hash,
            least(staged.sent_at, held.sent_at) as sent_at
        from {{ staged }} as staged
        left join {{ recipients }} as held
            on
                staged.short_code = held.short_code
                and staged.identifier_type = held.identifier_type
                and staged.identifier_hash = held.identifier_hash;

        delete from {{ recipients }} as held
        using {{ merged }} as staged
        where
            held.short_code = staged.short_code
            and held.identifier_type = staged.identifier_type
            and held.identifier_hash = staged.identifier_hash;

        insert into {{ recipients }}
        select short_code, channel, identifier_type, identifier_hash, sent_at
        from {{ merged }};
        drop table {{ merged }};

        delete from {{ this }}
        where short_code in (select short_code from {{ affected }});
    {% else %}
        create or replace table {{ recipients }} as
        select short_code, channel, identifier_type, identifier_hash, sent_at
        from {{ staged }};

        create or replace temp table {{ affected }} as
        select cast(null as varchar) as short_code;

        {% if is_incremental() %}
            delete from {{ this }};
        {% endif %}
    {% endif %}
    drop table {{ staged }};
{%- endmacro %}

{#-
    int_short_link_recipients, post-hook: save the latest _loaded_at read of each staging model
    and the codes seen with more than one recipient (all affected codes: every shared code is
    affected in each run), and log the codes derived again in __changes (the full marker after
    a full build, or when no log exists yet); with the var off drop the state and the log.
-#}
{% macro short_link_recipients_finish() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set recipients = omnichannel.short_link_recipients_state('recipients') -%}
    {%- set loaded = omnichannel.short_link_recipients_state('loaded') -%}
    {%- set shared = omnichannel.short_link_recipients_state('shared') -%}
    {%- set change_log = omnichannel.short_link_recipients_state('changes') -%}
    {%- if not omnichannel.identity_changes_enabled() -%}
        {{ return(omnichannel.touch_changes_drop([recipients, loaded, shared, change_log])) }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set loaded_now = omnichannel.identity_changes_temp('loaded_now') -%}
    {%- set full = not omnichannel.touch_changes_exist([change_log]) or run_query(
        'select count(*) from ' ~ affected ~ ' where short_code is null'
    ).columns[0].values()[0] > 0 -%}
    create or replace table {{ loaded }} as
    select source_name, loaded_at from {{ loaded_now }};

    create or replace table {{ shared }} as
    select short_code
    from {{ recipients }}
    where {{ omnichannel.short_link_recipients_affects('short_code') }}
    group by short_code
    having count(*) > 1;

    {{ omnichannel.identity_changes_log(
        change_log, full, [affected, loaded_now],
        "select distinct 'short_link' as source_name, affected.short_code as record_key,"
        ~ ' cast(null as varchar) as identifier_key from ' ~ affected ~ ' as affected'
        ~ ' where affected.short_code is not null') }}
{%- endmacro %}
