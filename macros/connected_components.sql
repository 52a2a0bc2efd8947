{#-
    Materialization `connected_components`: the model's SQL returns an edge list (node_a, node_b;
    node_b NULL for a node without edges); the materialization writes one row per node with its
    component_id (the smallest node key of its component) and the number of rounds it took.

    Algorithm: randomized local contraction, in rounds of plain SQL (DuckDB and Spark alike).
    Nodes are numbered once (32-bit node_id 1..n, fewer than 2^31 nodes); every round works on
    those integers. Each round every node picks, among itself and its neighbours, the one with the
    smallest fresh hash h_round(node_id), a random degree-3 polynomial modulo the prime 2^31 - 1
    (integer arithmetic only, no md5); every edge is rewritten to the picks of its ends (self
    loops and duplicates dropped). A constant fraction of the nodes disappears per round in
    expectation, so the rounds are O(log n) whatever the diameter (a 10,000-node chain takes
    about 15). Stops when no edge remains; reaching config max_rounds with edges left fails the
    run. Labels are resolved once at the end, backwards through the rounds' picks (each picks
    table is smaller than the one before), in the statement that writes the result.

    Cost notes (1M identifiers, bench/identity_bench.py):
    - The model's SQL is read in place (a subquery, three scans), never copied to a table.
    - Node keys are long strings. Where the adapter has a fast 64-bit string hash
      (connected_components_key_hash: DuckDB hash, Spark xxhash64), the edges are found by
      joining on the hash, an integer; if two keys of the graph
      share a hash (checked every run) the numbering falls back to joining on the keys
      themselves, as it does on adapters without such a hash or with config hash_node_keys=false.
    - Numbering needs no sort on DuckDB (row_number() over (), scan order); dense ids let
      DuckDB join picks by direct indexing (a perfect hash join).
    - Edges are stored once per pair (src < dst), not once per direction; a round unions both
      directions only inside the pick aggregate.
    - DuckDB runs the rounds with preserve_insertion_order off (restored afterwards).
    - Scratch tables are connection-local temporary tables on DuckDB (nothing written to disk
      but the result) and plain tables elsewhere (connected_components_scratch_*).
    - component_id is min(node) per final label, a window over the labelled nodes (cheaper
      than an aggregate joined back).

    Incremental (config incremental, DuckDB only: connected_components_supports_incremental):
    the run keeps the graph it clustered in <model>__graph (distinct pairs node_a < node_b, and
    node_b NULL for every node listed alone). The next run, unless --full-refresh, lists its graph
    into a scratch table, diffs it with the saved one (EXCEPT both ways), and clusters again only
    the touched nodes (ends of added or removed rows) and every node of their previous
    components (their rows of the saved graph with the diff applied); it deletes those nodes'
    rows, inserts the new labels, and applies the diff to the saved graph. With config
    changed_nodes (a table of nodes, column record_key, that a pre-hook made; a row with a null
    source_name is the full marker) the model's SQL may list only the rows with an end among
    those nodes (every other row unchanged since the last run: the model must make sure): the
    diff then compares them with the saved rows around the same nodes, and nothing else of
    the graph is read (int_identity_components: macros/identity_graph_changes.sql). The result
    equals a full build's: component_id is the smallest node key of the component, whatever
    the run (doc identity_incremental has the argument). A full build
    with incremental off drops the saved graph, so a later incremental run never compares with
    a graph older than the result. With the saved graph it keeps a change log,
    <model>__changes (columns of int_identifiers_unioned__changes, source_name 'component'): one
    row per node whose component_id changed, appeared or vanished in an incremental run, and a
    run marker; a full build starts it again with the full marker (is_full), and a build
    without the saved graph drops it. int_customer_id_assignments and int_customers_stitched
    follow it.
-#}
{% materialization connected_components, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set max_rounds = config.get('max_rounds', 40) | int -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set prefix = this.identifier ~ '__cc_' -%}
    {%- set graph_identifier = this.identifier ~ '__graph' -%}
    {%- set keep_graph = config.get('incremental', false)
        and omnichannel.connected_components_supports_incremental() -%}
    {%- set existing_graph = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=graph_identifier
    ) -%}
    {#- With the saved graph, a change log <model>__changes (macros/identity_tail_changes.sql)
        of the nodes whose component_id changed, appeared or vanished in a run. -#}
    {%- set log_changes = keep_graph -%}
    {%- set change_log = omnichannel.touch_changes_state(this, 'changes') -%}
    {%- set existing_log = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=change_log.identifier
    ) -%}
    {%- set incremental = keep_graph and existing_relation is not none
        and existing_graph is not none and not should_full_refresh() -%}

    {{ run_hooks(pre_hooks) }}

    {#- config changed_nodes: a table a pre-hook made of the nodes (column record_key) the
        model's SQL listed the graph around, or with the full marker (a row with a null
        source_name) when it listed all of it. Listed around them, the SQL returns only the
        graph's rows with an end among them: the rest is unchanged since the last run. -#}
    {%- set changed_nodes = config.get('changed_nodes', none) -%}
    {%- set listed_around = none -%}
    {%- if changed_nodes and keep_graph -%}
        {%- set listed = run_query(
            'select count(*) filter (where source_name is null), count(distinct record_key)'
            ~ ' from ' ~ changed_nodes
        ).rows[0] -%}
        {%- if listed[0] == 0 -%}
            {%- if not incremental -%}
                {{ exceptions.raise_compiler_error(
                    model.name ~ ": the pre-hook listed the graph around changed nodes, but "
                    ~ "this build is not incremental (no result or saved graph, or "
                    ~ "--full-refresh): a pre-hook must list all of it then.") }}
            {%- endif -%}
            {%- set listed_around = changed_nodes -%}
            {{ log(model.name ~ ": graph listed around " ~ listed[1] ~ " changed node(s)", info=True) }}
        {%- endif -%}
    {%- endif -%}

    {%- set session = omnichannel.connected_components_session_begin() -%}

    {%- if keep_graph -%}
        {#- The graph as clustered this run, one row per pair (node_a < node_b) and per node
            listed alone (node_b NULL): what the next run compares its graph with (as sets, so
            a duplicate row changes nothing). An incremental run lists it into a scratch table;
            a full build straight into the table that becomes the saved graph, and clusters it. -#}
        {%- set graph_now_sql -%}
            select
                case
                    when input_edges.node_a is null then input_edges.node_b
                    when input_edges.node_b is null then input_edges.node_a
                    when input_edges.node_a < input_edges.node_b then input_edges.node_a
                    else input_edges.node_b
                end as node_a,
                case
                    when input_edges.node_a is null or input_edges.node_b is null then null
                    when input_edges.node_a = input_edges.node_b then null
                    when input_edges.node_a < input_edges.node_b then input_edges.node_b
                    else input_edges.node_a
                end as node_b
            from ({{ sql }}) as input_edges
            where coalesce(input_edges.node_a, input_edges.node_b) is not null
        {%- endset -%}
        {%- if incremental -%}
            {%- set graph_now_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'graph_now') -%}
            {% do omnichannel.connected_components_scratch_table(graph_now_rel, graph_now_sql) %}
        {%- else -%}
            {%- set graph_now_rel = this.incorporate(path={'identifier': prefix ~ 'graph'}, type='table') -%}
            {% do omnichannel.replace_table_as(graph_now_rel, graph_now_sql) %}
        {%- endif -%}
    {%- endif -%}

    {%- if incremental -%}
        {#- Only the part of the graph the changes touch is clustered again: the ends of every
            added or removed edge and every added or removed node (an identifier newly
            excluded loses its edges and its node), plus every node of the previous components
            of those. A component of the new graph holding such a node holds only such nodes (an
            unchanged edge joins two nodes of one previous component; a new edge's ends are
            touched), and every other component is a previous one, unchanged, whose
            component_id (its smallest node) stands. -#}
        {%- set graph_rel = this.incorporate(path={'identifier': graph_identifier}, type='table') -%}
        {%- set added_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'added') -%}
        {%- set removed_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'removed') -%}
        {%- set affected_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'affected') -%}
        {%- set subgraph_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'subgraph') -%}
        {%- set result_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'result') -%}
        {%- set previous_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'previous') -%}
        {%- set saved_listed_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'saved_listed') -%}
        {#- the saved rows the listing is compared with: all, or those around the listed nodes -#}
        {%- if listed_around -%}
            {% do omnichannel.connected_components_scratch_table(saved_listed_rel,
                'select saved.node_a, saved.node_b from ' ~ graph_rel ~ ' as saved'
                ~ ' where saved.node_a in (select listed.record_key from ' ~ listed_around
                ~ ' as listed) or saved.node_b in (select listed.record_key from '
                ~ listed_around ~ ' as listed)') %}
            {%- set saved_compared = saved_listed_rel -%}
        {%- else -%}
            {%- set saved_compared = graph_rel -%}
        {%- endif -%}
        {% do omnichannel.connected_components_scratch_table(added_rel,
            'select node_a, node_b from ' ~ graph_now_rel
            ~ ' except select node_a, node_b from ' ~ saved_compared) %}
        {% do omnichannel.connected_components_scratch_table(removed_rel,
            'select node_a, node_b from ' ~ saved_compared
            ~ ' except select node_a, node_b from ' ~ graph_now_rel) %}
        {%- set affected_sql -%}
            with

            touched as (
                select node_a as node from {{ added_rel }}
                union
                select node_b as node from {{ added_rel }} where node_b is not null
                union
                select node_a as node from {{ removed_rel }}
                union
                select node_b as node from {{ removed_rel }} where node_b is not null
            ),

            touched_components as (
                select distinct previous.component_id
                from {{ target_relation }} as previous
                inner join touched
                    on previous.node = touched.node
            ),

            previous_members as (
                select previous.node
                from {{ target_relation }} as previous
                inner join touched_components
                    on previous.component_id = touched_components.component_id
            )

            select node from touched
            union
            select node from previous_members
        {%- endset -%}
        {% do omnichannel.connected_components_scratch_table(affected_rel, affected_sql) %}
        {%- set affected_count = run_query(
            'select count(*) as n from ' ~ affected_rel
        ).columns[0].values()[0] | int -%}
        {{ log(model.name ~ ": incremental, " ~ affected_count ~ " node(s) in changed components", info=True) }}
        {%- if affected_count > 0 -%}
            {#- the new graph's rows of the affected nodes: the saved graph's, with the diff
                applied (every added row has its ends among them), before the saved graph
                changes (a failed run leaves it as it was) -#}
            {% do omnichannel.connected_components_scratch_table(subgraph_rel,
                'select kept.node_a, kept.node_b from (select saved.node_a, saved.node_b from '
                ~ graph_rel ~ ' as saved inner join ' ~ affected_rel
                ~ ' as affected on saved.node_a = affected.node'
                ~ ' except select node_a, node_b from ' ~ removed_rel ~ ') as kept'
                ~ ' union select node_a, node_b from ' ~ added_rel) %}
            {% do omnichannel.connected_components_labels(
                'select node_a, node_b from ' ~ subgraph_rel, prefix, max_rounds, result_rel, true, session
            ) %}
            {%- if log_changes %}
                {% do omnichannel.connected_components_scratch_table(previous_rel,
                    'select previous.node, previous.component_id from ' ~ target_relation
                    ~ ' as previous inner join ' ~ affected_rel
                    ~ ' as affected on previous.node = affected.node') %}
            {%- endif %}
            {% call statement('connected_components_delete_changed') -%}
                delete from {{ target_relation }}
                where node in (select affected.node from {{ affected_rel }} as affected)
            {%- endcall %}
            {% call statement('connected_components_insert_changed') -%}
                insert into {{ target_relation }} (node, component_id, contraction_rounds)
                select node, component_id, contraction_rounds from {{ result_rel }}
            {%- endcall %}
            {% call statement('connected_components_delete_removed_edges') -%}
                delete from {{ graph_rel }} as saved
                using {{ removed_rel }} as removed
                where
                    saved.node_a = removed.node_a
                    and saved.node_b is not distinct from removed.node_b
            {%- endcall %}
            {% call statement('connected_components_insert_added_edges') -%}
                insert into {{ graph_rel }} (node_a, node_b)
                select node_a, node_b from {{ added_rel }}
            {%- endcall %}
        {%- endif -%}
        {%- if log_changes %}
            {#- the nodes whose component_id changed, appeared or vanished (no log yet:
                the full marker, its followers rebuild in full) -#}
            {% call statement('connected_components_log_changes') -%}
                {{ omnichannel.identity_changes_log(change_log, existing_log is none, [],
                    (none if affected_count == 0 else
                        'select \'component\' as source_name, null as record_key,'
                        ~ ' coalesce(result.node, previous.node) as identifier_key'
                        ~ ' from ' ~ result_rel ~ ' as result'
                        ~ ' full outer join ' ~ previous_rel ~ ' as previous'
                        ~ ' on result.node = previous.node'
                        ~ ' where result.component_id is distinct from previous.component_id')) }}
            {%- endcall %}
        {%- endif %}
        {% call statement('main') -%}
            select count(*) from {{ target_relation }}
        {%- endcall %}
        {%- for scratch in [added_rel, removed_rel, affected_rel, subgraph_rel, result_rel, previous_rel, graph_now_rel, saved_listed_rel] -%}
            {% do adapter.drop_relation(scratch) %}
        {%- endfor -%}
    {%- else -%}
        {%- set intermediate_relation = this.incorporate(path={'identifier': prefix ~ 'result'}, type='table') -%}
        {%- set graph_sql = ('select node_a, node_b from ' ~ graph_now_rel) if keep_graph else sql -%}
        {% do omnichannel.connected_components_labels(
            graph_sql, prefix, max_rounds, intermediate_relation, false, session
        ) %}

        {% call statement('main') -%}
            select count(*) from {{ intermediate_relation }}
        {%- endcall %}

        {% if existing_relation is not none %}
            {% do adapter.drop_relation(existing_relation) %}
        {% endif %}
        {% do adapter.rename_relation(intermediate_relation, target_relation) %}
        {#- The saved graph belongs to this result: replaced with it, or dropped when not kept
            (a later incremental run must never compare with a graph older than the result). -#}
        {%- set graph_rel = this.incorporate(path={'identifier': graph_identifier}, type='table') -%}
        {% if existing_graph is not none %}
            {% do adapter.drop_relation(existing_graph) %}
        {% endif %}
        {% if keep_graph %}
            {% do adapter.rename_relation(graph_now_rel, graph_rel) %}
        {% endif %}
        {#- The change log starts again with the full marker, or goes with the saved graph. -#}
        {% if log_changes %}
            {% call statement('connected_components_log_full') -%}
                {{ omnichannel.identity_changes_log(change_log, true, []) }}
            {%- endcall %}
        {% elif existing_log is not none %}
            {% do adapter.drop_relation(existing_log) %}
        {% endif %}
    {%- endif -%}

    {% do omnichannel.connected_components_session_end(session) %}
    {%- if changed_nodes and keep_graph %}
        {% call statement('connected_components_drop_changed_nodes') -%}
            drop table if exists {{ changed_nodes }}
        {%- endcall %}
    {%- endif %}

    {{ run_hooks(post_hooks) }}
    {% do persist_docs(target_relation, model) %}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- Cluster the graph `sql` (node_a, node_b) into `result_relation` (node, component_id,
    contraction_rounds): a scratch table when `scratch`, else a table of the model's schema.
    Scratch tables are named from `prefix`. Fails the run after `max_rounds` rounds with edges
    left, before writing anything. -#}
{% macro connected_components_labels(sql, prefix, max_rounds, result_relation, scratch, session) -%}
    {%- set bigint_type = api.Column.translate_type('bigint') -%}
    {%- set int_type = api.Column.translate_type('integer') -%}
    {%- set key_hash = none -%}
    {%- if config.get('hash_node_keys', true) -%}
        {%- set key_hash = omnichannel.connected_components_key_hash('{key}') -%}
    {%- endif -%}

    {#- Nodes, numbered 1..n: a 32-bit integer id (dense, so DuckDB joins on it by direct
        indexing); the order of numbering does not matter (DuckDB numbers in scan order, without
        a sort; other adapters order by the key hash or the key). -#}
    {%- set nodes_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'nodes') -%}
    {%- set nodes_sql -%}
        select
            node,
            {%- if key_hash %}
                {{ key_hash | replace('{key}', 'node') }} as node_hash,
            {%- endif %}
            cast(
                {{ omnichannel.connected_components_numbering(key_hash | replace('{key}', 'node') if key_hash else 'node') }}
                as {{ int_type }}
            ) as node_id
        from (
            select distinct endpoints.node
            from (
                select input_edges.node_a as node
                from ({{ sql }}) as input_edges
                union all
                select input_edges.node_b as node
                from ({{ sql }}) as input_edges
            ) as endpoints
            where endpoints.node is not null
        ) as distinct_nodes
    {%- endset -%}
    {% do omnichannel.connected_components_scratch_table(nodes_rel, nodes_sql) %}

    {%- if key_hash -%}
        {%- set collisions = run_query(
            'select count(*) - count(distinct node_hash) as n from ' ~ nodes_rel
        ).columns[0].values()[0] | int -%}
        {%- if collisions > 0 -%}
            {{ log(model.name ~ ": " ~ collisions ~ " node key hash collision(s), numbering edges by key", info=True) }}
            {%- set key_hash = none -%}
        {%- endif -%}
    {%- endif -%}

    {#- Integer edges, one row per pair of distinct nodes with src < dst (duplicates are left to
        the first round, which drops them). -#}
    {%- set edges_sql -%}
        select
            least(node_a_ids.node_id, node_b_ids.node_id) as src,
            greatest(node_a_ids.node_id, node_b_ids.node_id) as dst
        from ({{ sql }}) as input_edges
        {%- if key_hash %}
            inner join {{ nodes_rel }} as node_a_ids
                on {{ key_hash | replace('{key}', 'input_edges.node_a') }} = node_a_ids.node_hash
            inner join {{ nodes_rel }} as node_b_ids
                on {{ key_hash | replace('{key}', 'input_edges.node_b') }} = node_b_ids.node_hash
        {%- else %}
            inner join {{ nodes_rel }} as node_a_ids
                on input_edges.node_a = node_a_ids.node
            inner join {{ nodes_rel }} as node_b_ids
                on input_edges.node_b = node_b_ids.node
        {%- endif %}
        where node_a_ids.node_id <> node_b_ids.node_id
    {%- endset -%}
    {% do omnichannel.connected_components_scratch_table(omnichannel.connected_components_scratch_relation(prefix ~ 'edges_0'), edges_sql) %}

    {%- set state = namespace(round=0, done=false, edges=0) -%}
    {%- for round_number in range(1, max_rounds + 2) -%}
        {%- if not state.done -%}
            {%- set edges_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'edges_' ~ state.round) -%}
            {%- set counted = run_query('select count(*) as n from ' ~ edges_rel) -%}
            {%- set state.edges = counted.columns[0].values()[0] | int -%}
            {%- if state.edges == 0 -%}
                {%- set state.done = true -%}
            {%- elif state.round >= max_rounds -%}
                {% do omnichannel.connected_components_session_end(session) %}
                {{ exceptions.raise_compiler_error(
                    model.name ~ ": connected components did not converge in " ~ max_rounds
                    ~ " rounds (" ~ state.edges ~ " edges left). Raise var identity_max_rounds "
                    ~ "or look for a pathological graph; nothing was written."
                ) }}
            {%- else -%}
                {%- set picks_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'picks_' ~ round_number) -%}
                {#- h(x) = (c3 x^3 + c2 x^2 + c1 x + c0) mod p by Horner, p = 2^31 - 1, fresh
                    coefficients each round (Park-Miller sequence); every product < 2^62.
                    packed = h * 2^31 + x, so min(packed) % 2^31 is the node of smallest hash. -#}
                {%- set coefficients = [] -%}
                {%- set lcg = namespace(state=(round_number * 7919 + 20240601) % 2147483647) -%}
                {%- for _ in range(4) -%}
                    {%- set lcg.state = (lcg.state * 48271) % 2147483647 -%}
                    {%- do coefficients.append(lcg.state) -%}
                {%- endfor -%}
                {%- set packed -%}
                    ((((({{ coefficients[0] }} * {x} + {{ coefficients[1] }}) % 2147483647) * {x}
                    + {{ coefficients[2] }}) % 2147483647 * {x} + {{ coefficients[3] }})
                    % 2147483647 * 2147483648 + {x})
                {%- endset -%}
                {#- The node itself is a candidate too: compared once per node, outside the
                    aggregate. -#}
                {%- set picks_sql -%}
                    select
                        node,
                        cast(
                            least(smallest_neighbour, {{ packed | replace('{x}', 'cast(node as ' ~ bigint_type ~ ')') }})
                            % 2147483648 as {{ int_type }}
                        ) as pick
                    from (
                        select
                            node,
                            min({{ packed | replace('{x}', 'cast(neighbour as ' ~ bigint_type ~ ')') }}) as smallest_neighbour
                        from (
                            select
                                src as node,
                                dst as neighbour
                            from {{ edges_rel }}
                            union all
                            select
                                dst as node,
                                src as neighbour
                            from {{ edges_rel }}
                        ) as both_directions
                        group by node
                    ) as neighbourhoods
                {%- endset -%}
                {% do omnichannel.connected_components_scratch_table(picks_rel, picks_sql) %}
                {%- set next_edges_sql -%}
                    select distinct
                        least(src_pick.pick, dst_pick.pick) as src,
                        greatest(src_pick.pick, dst_pick.pick) as dst
                    from {{ edges_rel }} as edges
                    inner join {{ picks_rel }} as src_pick
                        on edges.src = src_pick.node
                    inner join {{ picks_rel }} as dst_pick
                        on edges.dst = dst_pick.node
                    where src_pick.pick <> dst_pick.pick
                {%- endset -%}
                {% do omnichannel.connected_components_scratch_table(omnichannel.connected_components_scratch_relation(prefix ~ 'edges_' ~ round_number), next_edges_sql) %}
                {% do adapter.drop_relation(edges_rel) %}
                {%- set state.round = round_number -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {{ log(model.name ~ ": connected components converged in " ~ state.round ~ " rounds", info=True) }}

    {#- Resolve labels backwards, one CTE per round: a node alive in round r ends where its pick
        ends, or at its pick when the pick left the graph (its component was fully contracted).
        A node without a label (no edges) is its own component. -#}
    {%- set final_sql -%}
        with

        {% for round_number in range(state.round, 0, -1) -%}
            {%- set picks_rel = omnichannel.connected_components_scratch_relation(prefix ~ 'picks_' ~ round_number) -%}
            resolved_{{ round_number }} as (
            {%- if round_number == state.round %}
                select
                    node,
                    pick as label
                from {{ picks_rel }}
            {%- else %}
                select
                    picks.node,
                    coalesce(later.label, picks.pick) as label
                from {{ picks_rel }} as picks
                left join resolved_{{ round_number + 1 }} as later
                    on picks.pick = later.node
            {%- endif %}
            ),

        {% endfor -%}
        labelled as (
            select
                nodes.node,
                {%- if state.round > 0 %}
                    coalesce(resolved_1.label, nodes.node_id) as label
                {%- else %}
                    nodes.node_id as label
                {%- endif %}
            from {{ nodes_rel }} as nodes
            {%- if state.round > 0 %}
                left join resolved_1
                    on nodes.node_id = resolved_1.node
            {%- endif %}
        )

        select
            node,
            min(node) over (partition by label) as component_id,
            {{ state.round }} as contraction_rounds
        from labelled
    {%- endset -%}
    {%- if scratch -%}
        {% do omnichannel.connected_components_scratch_table(result_relation, final_sql) %}
    {%- else -%}
        {% do omnichannel.replace_table_as(result_relation, final_sql) %}
    {%- endif -%}
    {%- for round_number in range(state.round, 0, -1) -%}
        {% do adapter.drop_relation(omnichannel.connected_components_scratch_relation(prefix ~ 'picks_' ~ round_number)) %}
    {%- endfor -%}
    {% do adapter.drop_relation(nodes_rel) %}
    {% do adapter.drop_relation(omnichannel.connected_components_scratch_relation(prefix ~ 'edges_' ~ state.round)) %}
{%- endmacro %}



{#- A 64-bit hash of a string column as SQL (`{key}` stands for the column), or none where the
    adapter has no cheap one: connected_components then joins edges to nodes on the keys. -#}
{% macro connected_components_key_hash(key) -%}
    {{ return(adapter.dispatch('connected_components_key_hash', 'omnichannel')(key)) }}
{%- endmacro %}

{% macro default__connected_components_key_hash(key) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__connected_components_key_hash(key) -%}
    {{ return('hash(' ~ key ~ ')') }}
{%- endmacro %}

{% macro spark__connected_components_key_hash(key) -%}
    {{ return('xxhash64(' ~ key ~ ')') }}
{%- endmacro %}


{#- The relation of a connected_components scratch table `identifier` (the model's own schema;
    DuckDB: the connection's temp schema). -#}
{% macro connected_components_scratch_relation(identifier) -%}
    {{ return(adapter.dispatch('connected_components_scratch_relation', 'omnichannel')(identifier)) }}
{%- endmacro %}

{% macro default__connected_components_scratch_relation(identifier) -%}
    {{ return(this.incorporate(path={'identifier': identifier}, type='table')) }}
{%- endmacro %}

{% macro duckdb__connected_components_scratch_relation(identifier) -%}
    {{ return(this.incorporate(path={'database': 'temp', 'schema': 'main', 'identifier': identifier}, type='table')) }}
{%- endmacro %}


{#- Create (or replace) scratch table `relation` from `sql`: a plain table by default, a
    connection-local temporary table on DuckDB (kept in memory, spilled only if needed). -#}
{% macro connected_components_scratch_table(relation, sql) -%}
    {{ return(adapter.dispatch('connected_components_scratch_table', 'omnichannel')(relation, sql)) }}
{%- endmacro %}

{% macro default__connected_components_scratch_table(relation, sql) -%}
    {% do omnichannel.replace_table_as(relation, sql) %}
{%- endmacro %}

{% macro duckdb__connected_components_scratch_table(relation, sql) -%}
    {% call statement('scratch_' ~ relation.identifier) -%}
        create or replace temporary table {{ relation.identifier }} as (
            {{ sql }}
        )
    {%- endcall %}
{%- endmacro %}


{#- Session settings for the rounds, returned so that connected_components_session_end can put
    them back (on DuckDB preserve_insertion_order=false: no table here depends on row order, and
    keeping it costs memory and time in every CTAS). -#}
{% macro connected_components_session_begin() -%}
    {{ return(adapter.dispatch('connected_components_session_begin', 'omnichannel')()) }}
{%- endmacro %}

{% macro default__connected_components_session_begin() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__connected_components_session_begin() -%}
    {%- set previous = run_query(
        "select current_setting('preserve_insertion_order') as value"
    ).columns[0].values()[0] -%}
    {% call statement('connected_components_session_begin') -%}
        set preserve_insertion_order = false
    {%- endcall %}
    {{ return({'preserve_insertion_order': previous}) }}
{%- endmacro %}

{% macro connected_components_session_end(session) -%}
    {{ return(adapter.dispatch('connected_components_session_end', 'omnichannel')(session)) }}
{%- endmacro %}

{% macro default__connected_components_session_end(session) -%}
{%- endmacro %}

{% macro duckdb__connected_components_session_end(session) -%}
    {%- if session -%}
        {% call statement('connected_components_session_end') -%}
            set preserve_insertion_order = {{ 'true' if session['preserve_insertion_order'] in [true, 'true', 'True', 1] else 'false' }}
        {%- endcall %}
    {%- endif -%}
{%- endmacro %}


{#- The numbering of the nodes 1..n, as SQL: any order will do. DuckDB numbers in scan order
    (row_number() over (), no sort); Spark and others need an ordering (`order_by`). -#}
{% macro connected_components_numbering(order_by) -%}
    {{ return(adapter.dispatch('connected_components_numbering', 'omnichannel')(order_by)) }}
{%- endmacro %}

{% macro default__connected_components_numbering(order_by) -%}
    {{ return('row_number() over (order by ' ~ order_by ~ ')') }}
{%- endmacro %}

{% macro duckdb__connected_components_numbering(order_by) -%}
    {{ return('row_number() over ()') }}
{%- endmacro %}


{#- Whether connected_components can run incrementally here (config incremental): it deletes
    and inserts rows of its result and of the saved graph, which needs DuckDB here (Spark's
    plain Parquet tables cannot delete rows). -#}
{% macro connected_components_supports_incremental() -%}
    {{ return(adapter.dispatch('connected_components_supports_incremental', 'omnichannel')()) }}
{%- endmacro %}

{% macro default__connected_components_supports_incremental() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__connected_components_supports_incremental() -%}
    {{ return(true) }}
{%- endmacro %}
