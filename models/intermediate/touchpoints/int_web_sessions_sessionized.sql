{#- the staging models this one derives from, with the timestamp that dates their rows -#}
{%- set new_data_sources = [
    ('stg_ga4__events', 'occurred_at'),
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'append',
    partition_by=['session_started_date'] if target.type == 'spark' else none,
    on_schema_change='fail',
    pre_hook="{{ omnichannel.incremental_clear_window('session_started_date', "
        ~ new_data_sources ~ ", 'user_pseudo_id') }}",
    post_hook="{{ omnichannel.record_incremental_watermarks(" ~ new_data_sources ~ ") }}",
) }}
{#- the watermark of the GA4 events this model read last time (incremental runs on DuckDB) -#}
{%- set loaded_since = omnichannel.new_rows_since('stg_ga4__events') -%}
{%- set timeout_seconds = var('web_session_timeout_minutes') | int * 60 -%}
{#-
    One row per web or app session, sessionized here as GA4 users expect: a client's events more
    than var web_session_timeout_minutes apart start a new session, and so does an event arriving
    with a different traffic source (UTM tags or an external referrer) than the session's last
    tagged event. Untagged events (later page views) continue the session they fall in. The
    session's source is its first tagged event's; sessions with no tagged event are direct.
    Crawlers are dropped: clients with a headless browser and sessions with more than
    var web_bot_max_events_per_session events.
    Incremental: a run rebuilds the sessions started on the days of the window
    (omnichannel.incremental_window_start: from the day before the earliest day of the GA4
    events staged since this model's last build, never further back than var
    incremental_lookback_days) from the events of the
    window and the day before it (a session's boundaries depend on the events before it), and
    replaces those days' sessions (insert_overwrite of its partitions on Spark). On DuckDB, once
    the GA4 watermark is recorded, only the sessions of the clients with events staged since the
    last build: a client's sessions depend on that client's events alone, so the others' stay
    as they are (the pre-hook omnichannel.incremental_clear_window deletes the rows re-derived,
    the model appends). Exact as long as a chain of events less than the session timeout apart
    does not span that extra day, and a client first seen with a headless browser in new events
    had no session before the window (its older sessions stay until a --full-refresh).
-#}
with

{% if loaded_since -%}
new_clients as (
    select distinct user_pseudo_id from {{ ref('stg_ga4__events') }}
    where _loaded_at > {{ loaded_since }}
),
{%- endif %}

events as (
    select * from {{ ref('stg_ga4__events') }}
    {% if is_incremental() %}
        where
            occurred_at
            >= {{ omnichannel.incremental_window_start('session_started_date', 1, new_data_sources) }}
            {% if loaded_since -%}
                and user_pseudo_id in (select user_pseudo_id from new_clients)
            {%- endif %}
    {% endif %}
),

event_browsers as (
    select
        user_pseudo_id,
        device_browser
    from {{ ref('stg_ga4__events') }}
    {% if loaded_since -%}
        where user_pseudo_id in (select user_pseudo_id from new_clients)
    {%- endif %}
),

mappings as (
    select * from {{ ref('utm_channel_mappings') }}
),

headless_clients as (
    select distinct user_pseudo_id
    from event_browsers
    where lower(device_browser) like '%headless%'
),

events_sourced as (
    select
        events.event_id,
        events.user_pseudo_id,
        events.member_number,
        events.client_kind,
        events.event_name,
        events.transaction_id,
        events.occurred_at,
        lower(coalesce(events.utm_source, events.traffic_source)) as utm_source,
        lower(coalesce(events.utm_medium, events.traffic_medium)) as utm_medium,
        coalesce(events.utm_campaign, events.traffic_campaign_id) as utm_campaign,
        case
            when events.gclid is not null or events.page_location like '%gclid=%' then 'gclid'
            when events.page_location like '%fbclid=%' then 'fbclid'
        end as click_id_type,
        case
            when
                events.page_referrer is not null
                and events.page_referrer not like '%shop.omni.tw%'
                then lower({{ dbt.split_part('events.page_referrer', "'/'", 3) }})
        end as referrer_host
    from events
    left join headless_clients
        on events.user_pseudo_id = headless_clients.user_pseudo_id
    where headless_clients.user_pseudo_id is null
),

events_keyed as (
    select
        *,
        case
            when utm_source is not null or utm_medium is not null
                then {{ dbt.concat([
                    "'utm|'", "coalesce(utm_source, '')", "'|'", "coalesce(utm_medium, '')",
                    "'|'", "coalesce(utm_campaign, '')"
                ]) }}
            when referrer_host is not null
                then {{ dbt.concat(["'ref|'", 'referrer_host']) }}
        end as source_key,
        -- both windows share one partition and order: one sort
        lag(occurred_at) over (
            partition by user_pseudo_id
            order by occurred_at, event_id
        ) as previous_occurred_at,
        row_number() over (
            partition by user_pseudo_id
            order by occurred_at, event_id
        ) as event_number
    from events_sourced
),

gap_flagged as (
    select
        *,
        case
            when previous_occurred_at is null then 1
            when
                {{ dbt.datediff('previous_occurred_at', 'occurred_at', 'second') }}
                > {{ timeout_seconds }}
                then 1
            else 0
        end as is_gap_start
    from events_keyed
),

-- per event, in one sort: the event number its gap (events less than the timeout apart)
-- started at, and the number and source of the latest tagged event before it
tagged_looked_back as (
    select
        *,
        max(case when is_gap_start = 1 then event_number end) over (
            partition by user_pseudo_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as gap_started_number,
        max(case when source_key is not null then event_number end) over (
            partition by user_pseudo_id
            order by occurred_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as previous_tagged_number,
        {{ omnichannel.last_value_ignore_nulls('source_key') }} over (
            partition by user_pseudo_id
            order by occurred_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as previous_source_key
    from gap_flagged
),

-- a session starts at a gap, or at a tagged event whose source differs from the latest tagged
-- event's in the same gap
boundaries_flagged as (
    select
        *,
        case
            when is_gap_start = 1 then 1
            when
                source_key is not null
                and previous_tagged_number >= gap_started_number
                and previous_source_key != source_key
                then 1
            else 0
        end as is_session_start
    from tagged_looked_back
),

sessions_numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by user_pseudo_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from boundaries_flagged
),

-- a session's first event (in occurred_at, event_id order) is its one row with
-- is_session_start = 1: each such row starts the next session_number; its source is that of
-- its first tagged event (min_by over the event number, tagged events only)
sessions_aggregated as (
    select
        user_pseudo_id,
        session_number,
        max(case when is_session_start = 1 then event_id end) as first_event_id,
        max(click_id_type) as click_id_type,
        min(client_kind) as client_kind,
        max(member_number) as member_number,
        max(case when event_name = 'purchase' then transaction_id end)
            as purchase_transaction_id,
        count(*) as event_count,
        min(occurred_at) as session_started_at,
        max(occurred_at) as session_ended_at,
        min_by(
            {{ omnichannel.struct_of(
                ['utm_source', 'utm_medium', 'utm_campaign', 'referrer_host']
            ) }},
            case when source_key is not null then event_number end
        ) as first_tagged
    from sessions_numbered
    group by user_pseudo_id, session_number
),

sessions_sourced as (
    select
        sessions_aggregated.user_pseudo_id,
        sessions_aggregated.session_number,
        sessions_aggregated.first_event_id,
        sessions_aggregated.click_id_type,
        sessions_aggregated.client_kind,
        sessions_aggregated.member_number,
        sessions_aggregated.purchase_transaction_id,
        sessions_aggregated.event_count,
        sessions_aggregated.session_started_at,
        sessions_aggregated.session_ended_at,
        sessions_aggregated.first_tagged.utm_source,
        sessions_aggregated.first_tagged.utm_medium,
        sessions_aggregated.first_tagged.utm_campaign,
        sessions_aggregated.first_tagged.referrer_host
    from sessions_aggregated
    where sessions_aggregated.event_count <= {{ var('web_bot_max_events_per_session') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat(["'ga4|'", 'sessions_sourced.first_event_id'])) }}
            as web_session_id,
        sessions_sourced.user_pseudo_id,
        sessions_sourced.member_number,
        sessions_sourced.purchase_transaction_id,
        sessions_sourced.client_kind,
        sessions_sourced.utm_source,
        sessions_sourced.utm_medium,
        sessions_sourced.utm_campaign,
        sessions_sourced.referrer_host,
        sessions_sourced.click_id_type,
        case
            when sessions_sourced.click_id_type = 'gclid' then 'paid_search'
            when sessions_sourced.click_id_type = 'fbclid' then 'paid_social'
            when source_mappings.channel is not null then source_mappings.channel
            when medium_mappings.channel is not null then medium_mappings.channel
            when sessions_sourced.utm_medium is not null then 'referral'
            when
                sessions_sourced.referrer_host like '%google.%'
                or sessions_sourced.referrer_host like '%bing.%'
                or sessions_sourced.referrer_host like '%yahoo.%'
                or sessions_sourced.referrer_host like '%duckduckgo.%'
                or sessions_sourced.referrer_host like '%baidu.%'
                then 'organic_search'
            when sessions_sourced.referrer_host is not null then 'referral'
            else 'direct'
        end as channel,
        case
            when sessions_sourced.click_id_type is not null then 'ad_click'
            when sessions_sourced.client_kind = 'app' then 'app_session'
            else 'web_session'
        end as touch_type,
        sessions_sourced.event_count,
        sessions_sourced.session_started_at,
        sessions_sourced.session_ended_at,
        cast(sessions_sourced.session_started_at as date) as session_started_date
    from sessions_sourced
    left join mappings as source_mappings
        on
            sessions_sourced.utm_medium = source_mappings.utm_medium
            and sessions_sourced.utm_source = source_mappings.utm_source
    left join mappings as medium_mappings
        on
            sessions_sourced.utm_medium = medium_mappings.utm_medium
            and medium_mappings.utm_source = '*'
    {% if is_incremental() %}
        where
            sessions_sourced.session_started_at
            >= {{ omnichannel.incremental_window_start('session_started_date', sources=new_data_sources) }}
    {% endif %}
)

select * from final
