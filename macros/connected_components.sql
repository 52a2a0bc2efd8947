{#-
    Materialization `connected_components`: the model's SQL returns an edge list (node_a, node_b;
    node_b NULL for a node without edges); the materialization writes one row per node with its
    component_id (the smallest node key of its component) and the number of rounds it took.

    Algorithm: randomized local contraction, in rounds of plain SQL (DuckDB and Spark alike).
    Nodes are numbered once (bigint node_id, fewer than 2^31 nodes); every round works on those
    integers. Each round every node picks, among itself and its neighbours, the one with the
    smallest fresh hash h_round(node_id), a random degree-3 polynomial modulo the prime 2^31 - 1
    (integer arithmetic only, no md5); every edge is rewritten to the picks of its ends (self
    loops and duplicates dropped). A constant fraction of the nodes disappears per round in
    expectation, so the rounds are O(log n) whatever the diameter (a 10,000-node chain takes
    about 15). Stops when no edge remains; reaching config max_rounds with edges left fails the
    run. Labels are resolved once at the end, backwards through the rounds' picks (each picks
    table is smaller than the one before), instead of rewriting every node's label each round.
-#}
{% materialization connected_components, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set max_rounds = config.get('max_rounds', 40) | int -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set prefix = this.identifier ~ '__cc_' -%}

    {{ run_hooks(pre_hooks) }}

    {%- set input_rel = this.incorporate(path={'identifier': prefix ~ 'input'}, type='table') -%}
    {% do omnichannel.replace_table_as(input_rel, sql) %}

    {%- set bigint_type = api.Column.translate_type('bigint') -%}
    {%- set nodes_rel = this.incorporate(path={'identifier': prefix ~ 'nodes'}, type='table') -%}
    {%- set nodes_sql -%}
        select
            node,
            cast(row_number() over (order by node) as {{ bigint_type }}) as node_id
        from (
            select node_a as node from {{ input_rel }} where node_a is not null
            union
            select node_b as node from {{ input_rel }} where node_b is not null
        ) as all_nodes
    {%- endset -%}
    {% do omnichannel.replace_table_as(nodes_rel, nodes_sql) %}

    {%- set edges_sql -%}
        with

        pairs as (
            select
                node_a_ids.node_id as id_a,
                node_b_ids.node_id as id_b
            from {{ input_rel }} as input_edges
            inner join {{ nodes_rel }} as node_a_ids
                on input_edges.node_a = node_a_ids.node
            inner join {{ nodes_rel }} as node_b_ids
                on input_edges.node_b = node_b_ids.node
            where node_a_ids.node_id <> node_b_ids.node_id
        )

        select distinct src, dst
        from (
            select id_a as src, id_b as dst from pairs
            union all
            select id_b as src, id_a as dst from pairs
        ) as both_directions
    {%- endset -%}
    {% do omnichannel.replace_table_as(this.incorporate(path={'identifier': prefix ~ 'edges_0'}, type='table'), edges_sql) %}
    {% do adapter.drop_relation(input_rel) %}

    {%- set state = namespace(round=0, done=false, edges=0) -%}
    {%- for round_number in range(1, max_rounds + 2) -%}
        {%- if not state.done -%}
            {%- set edges_rel = this.incorporate(path={'identifier': prefix ~ 'edges_' ~ state.round}, type='table') -%}
            {%- set counted = run_query('select count(*) as n from ' ~ edges_rel) -%}
            {%- set state.edges = counted.columns[0].values()[0] | int -%}
            {%- if state.edges == 0 -%}
                {%- set state.done = true -%}
            {%- elif state.round >= max_rounds -%}
                {{ exceptions.raise_compiler_error(
                    model.name ~ ": connected components did not converge in " ~ max_rounds
                    ~ " rounds (" ~ state.edges ~ " edges left). Raise var identity_max_rounds "
                    ~ "or look for a pathological graph; nothing was written."
                ) }}
            {%- else -%}
                {%- set picks_rel = this.incorporate(path={'identifier': prefix ~ 'picks_' ~ round_number}, type='table') -%}
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
                {%- set picks_sql -%}
                    select
                        src as node,
                        least(
                            min({{ packed | replace('{x}', 'dst') }}),
                            min({{ packed | replace('{x}', 'src') }})
                        ) % 2147483648 as pick
                    from {{ edges_rel }}
                    group by src
                {%- endset -%}
                {% do omnichannel.replace_table_as(picks_rel, picks_sql) %}
                {%- set next_edges_sql -%}
                    select distinct
                        src_pick.pick as src,
                        dst_pick.pick as dst
                    from {{ edges_rel }} as edges
                    inner join {{ picks_rel }} as src_pick
                        on edges.src = src_pick.node
                    inner join {{ picks_rel }} as dst_pick
                        on edges.dst = dst_pick.node
                    where src_pick.pick <> dst_pick.pick
                {%- endset -%}
                {% do omnichannel.replace_table_as(this.incorporate(path={'identifier': prefix ~ 'edges_' ~ round_number}, type='table'), next_edges_sql) %}
                {% do adapter.drop_relation(edges_rel) %}
                {%- set state.round = round_number -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {{ log(model.name ~ ": connected components converged in " ~ state.round ~ " rounds", info=True) }}

    {#- Resolve labels backwards: a node alive in round r ends where its pick ends, or at its
        pick when the pick left the graph (its component was fully contracted). -#}
    {%- for round_number in range(state.round, 0, -1) -%}
        {%- set picks_rel = this.incorporate(path={'identifier': prefix ~ 'picks_' ~ round_number}, type='table') -%}
        {%- set resolved_rel = this.incorporate(path={'identifier': prefix ~ 'resolved_' ~ round_number}, type='table') -%}
        {%- set later_rel = this.incorporate(path={'identifier': prefix ~ 'resolved_' ~ (round_number + 1)}, type='table') -%}
        {%- set resolved_sql -%}
            {%- if round_number == state.round %}
                select node, pick as label from {{ picks_rel }}
            {%- else %}
                select
                    picks.node,
                    coalesce(later.label, picks.pick) as label
                from {{ picks_rel }} as picks
                left join {{ later_rel }} as later
                    on picks.pick = later.node
            {%- endif %}
        {%- endset -%}
        {% do omnichannel.replace_table_as(resolved_rel, resolved_sql) %}
        {% do adapter.drop_relation(picks_rel) %}
        {% if round_number < state.round %}
            {% do adapter.drop_relation(later_rel) %}
        {% endif %}
    {%- endfor -%}

    {%- set resolved_rel = this.incorporate(path={'identifier': prefix ~ 'resolved_1'}, type='table') -%}
    {%- set intermediate_relation = this.incorporate(path={'identifier': prefix ~ 'result'}, type='table') -%}
    {%- set final_sql -%}
        select
            nodes.node,
            min(nodes.node) over (
                partition by {% if state.round > 0 %}coalesce(resolved.label, nodes.node_id){% else %}nodes.node_id{% endif %}
            ) as component_id,
            {{ state.round }} as contraction_rounds
        from {{ nodes_rel }} as nodes
        {%- if state.round > 0 %}
            left join {{ resolved_rel }} as resolved
                on nodes.node_id = resolved.node
        {%- endif %}
    {%- endset -%}
    {% do omnichannel.replace_table_as(intermediate_relation, final_sql) %}

    {% call statement('main') -%}
        select count(*) from {{ intermediate_relation }}
    {%- endcall %}

    {% if existing_relation is not none %}
        {% do adapter.drop_relation(existing_relation) %}
    {% endif %}
    {% do adapter.rename_relation(intermediate_relation, target_relation) %}
    {% do adapter.drop_relation(resolved_rel) %}
    {% do adapter.drop_relation(nodes_rel) %}
    {% do adapter.drop_relation(this.incorporate(path={'identifier': prefix ~ 'edges_' ~ state.round}, type='table')) %}

    {{ run_hooks(post_hooks) }}
    {% do persist_docs(target_relation, model) %}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
