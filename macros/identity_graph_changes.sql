{#-
    The identity graph's listing follows change logs (DuckDB, var identity_incremental; doc
    identity_tail_incremental): int_identity_components lists only the part of its graph that
    its inputs' logs say can have changed, instead of all edges, occurrences and exclusions.

    The graph has a row per edge of int_identity_edges and a row (node, null) per identifier
    key of int_identifiers_unioned that int_identifiers_excluded does not hold. A row with no end
    among the keys below is unchanged since the components' last run:
    - int_identity_edges logs every key whose edges it derived again (its pre-hook deleted every
      edge with an end among them, source_name 'edges'), and keeps every other edge;
    - a key's lone row changes only with its occurrences (int_identifiers_unioned logs the key
      of every occurrence it deleted or inserted) or its exclusion (int_identifiers_excluded
      logs the keys whose exclusion flipped).
    Each log is read after the components' own watermark (the latest changed_at of
    int_identity_components__changes), so a producer that ran without it (a narrower selection)
    is caught up with at its next run. The connected_components materialization then compares
    the listed rows with the rows of its saved graph around the same keys (config
    changed_nodes).
-#}

{#-
    int_identity_components, pre-hook: the keys its graph is listed around
    (temp.int_identity_components__affected: source_name 'key', record_key the identifier key),
    or the full marker (a null source_name: the whole graph is listed) when it cannot follow
    its inputs' logs (macro touch_changes_can_follow), has no saved graph or result, or builds
    with --full-refresh. Nothing with the var off, on Spark, or with var identity_edges_relation.
-#}
{% macro identity_graph_prepare() -%}
    {%- if not execute or not omnichannel.identity_changes_enabled()
        or var('identity_edges_relation', none) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set affected = omnichannel.identity_changes_temp('affected') -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set producer_logs = [
        omnichannel.touch_changes_state(ref('int_identifiers_unioned'), 'changes'),
        omnichannel.touch_changes_state(ref('int_identifiers_excluded'), 'changes'),
        omnichannel.touch_changes_state(ref('int_identity_edges'), 'changes'),
    ] -%}
    {% if not should_full_refresh()
        and omnichannel.touch_changes_exist([this, omnichannel.touch_changes_state(this, 'graph')])
        and omnichannel.touch_changes_can_follow(change_log, producer_logs) %}
        create or replace temp table {{ affected }} as
        {{ omnichannel.identity_tail_logged_keys(change_log, producer_logs) }};
    {% else %}
        create or replace temp table {{ affected }} as
        select cast(null as varchar) as source_name, cast(null as varchar) as record_key;
    {% endif %}
{%- endmacro %}

