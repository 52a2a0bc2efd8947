{%- set event_feeds = omnichannel.identity_event_feeds() -%}
{#- event feeds whose records can carry two identifiers (more than one identifier column) #}
{%- set pairing_feeds = omnichannel.identity_pairing_feeds() -%}
{%- set single_identifier_feeds = omnichannel.identity_single_identifier_feeds() -%}
{%- set snapshot_sources = omnichannel.identity_snapshot_sources(event_feeds) -%}
{{ config(
    materialized='incremental' if omnichannel.identity_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ omnichannel.identifier_pairs_prepare(" ~ pairing_feeds ~ ") }}",
    post_hook="{{ omnichannel.identifier_pairs_finish(" ~ pairing_feeds ~ ") }}",
) }}
{#-
    Identifiers seen together in one record: one row per source x record x unordered pair of
    distinct identifiers that record carried (int_identifiers_unioned), identifier_key_a sorting
    before identifier_key_b. The self-join of every occurrence on (source_name, record_key) is
    done here once, and incrementally, instead of in each consumer: int_identifiers_excluded
    counts each identifier's distinct neighbours from these pairs, int_identity_edges aggregates
    the pairs of kept identifiers into edges. Pairs stay record-level (not aggregated per pair of
    identifiers) so that a record staged again can replace its own pairs.
    Incremental on DuckDB (var identity_incremental), with int_identifiers_unioned's record
    replacement: the records of the event feeds (macro identity_event_feeds) are paired again
    only where staged after the feed's watermark (the latest _loaded_at int_identifiers_unioned
    held for it at this model's last run, saved by the post-hook in __loaded: a feed whose
    records make no pair, consent or Meta, leaves no row here to hold it), and replace that
    record's pairs (append: the pre-hook first drops the pairs of every record staged again,
    found by record_hash, and those of the export records (HubSpot, inbox, Shopify, POS: macro
    identity_export_feeds) staging no longer holds, erased). Feeds whose records carry a
    single identifier column (line, line_send_log, twilio, sendgrid: macro
    identity_occurrences) make no pair and are
    never read: with no pair to hold their watermark, they would otherwise be read whole on
    every run. The other sources
    (the link records short_link and web_purchase) follow int_identifiers_unioned's change log
    (int_identifiers_unioned__changes, macros/identity_changes.sql): only the records it
    replaced since this model's last run (its own __changes log of run markers) are paired
    again, the pre-hook first dropping their pairs; every snapshot record when the log cannot
    be followed (missing, rebuilt in full or pruned since). Table on Spark, when
    identity_incremental is false, and on --full-refresh.
-#}
{#- the pre-hook reads the feeds' staging models (which records were staged again) #}
{%- for feed, (model_name, key_column) in pairing_feeds | dictsort %}
-- depends_on: {{ ref(model_name) }}
{%- endfor %}

with

{% if is_incremental() %}

    -- the snapshot records int_identifiers_unioned replaced since this model's last run, and
    -- each pairing feed's records staged after its watermark, one select each: a constant
    -- watermark reaches the scan (zone maps skip the row groups of other feeds and of older
    -- loads; under one OR the selects read 33M occurrences at 1M customers)
    {%- set watermarks = omnichannel.identifiers_unioned_watermark_literals(
        pairing_feeds.keys() | sort, omnichannel.touch_changes_state(this, 'loaded')) %}
    occurrences as (
        -- aliased for the correlated exists below (sqlfluff does not see that use)
        select * from {{ ref('int_identifiers_unioned') }} as unioned  -- noqa: AL05
        where
            source_name in ({{ snapshot_sources }})
            and exists (
                select 1
                from {{ omnichannel.identity_changes_temp('affected') }} as affected
                where
                    affected.source_name = unioned.source_name
                    and affected.record_key = unioned.record_key
            )
        {%- for feed in pairing_feeds | sort %}
            union all
            select * from {{ ref('int_identifiers_unioned') }}
            where
                source_name = '{{ feed }}'
                and _loaded_at > {{ watermarks[feed] }}
                -- the pre-hook's (the same value, saved before it deleted)
                and _loaded_at > {{ omnichannel.identifiers_unioned_watermark(feed) }}
        {%- endfor %}
    ),

{% else %}

    occurrences as (
        select * from {{ ref('int_identifiers_unioned') }}
        where source_name not in ({{ single_identifier_feeds }})
    ),

{% endif %}

pairs as (
    select
        occurrence_a.source_name,
        occurrence_a.record_key,
        occurrence_a.identifier_key as identifier_key_a,
        occurrence_b.identifier_key as identifier_key_b,
        occurrence_a.identifier_type as identifier_type_a,
        occurrence_b.identifier_type as identifier_type_b,
        -- as int_identity_edges always took it: the record's seen_at for identifier_key_a
        occurrence_a.seen_at,
        -- one staged row per event-feed record: both occurrences carry its load time
        occurrence_a._loaded_at,
        -- the record's lookup hash (macro record_hash): the pre-hook finds the pairs of the
        -- records it replaces by it
        occurrence_a.record_hash,
        -- the keys' lookup hashes (macro key_hash): int_identifiers_excluded counts the
        -- neighbours of a run's keys by them
        occurrence_a.key_hash as key_hash_a,
        occurrence_b.key_hash as key_hash_b
    from occurrences as occurrence_a
    inner join occurrences as occurrence_b
        on
            occurrence_a.source_name = occurrence_b.source_name
            and occurrence_a.record_key = occurrence_b.record_key
            and occurrence_a.identifier_key < occurrence_b.identifier_key
)

select * from pairs
