{#-
    Materialization `connected_components`: the model's SQL returns an edge list (node_a, node_b;
    node_b NULL for a node without edges); the materialization writes one row per node with its
    component_id (the smallest node key of its component) and the number of rounds it took.

    Algorithm: randomized local contraction, in rounds of plain SQL (DuckDB and Spark alike).
    Each round every node picks, among itself and its neighbours, the one with the smallest fresh
    hash md5(node || '#' || round); every edge is rewritten to the picks of its ends (self loops
    and duplicates dropped) and every node's label follows its pick. A constant fraction of the
    nodes disappears per round in expectation, so the rounds are O(log n) whatever the diameter
    (a 5,000-node chain takes about a dozen). Stops when no edge remains; reaching config
    max_rounds with edges left fails the run.
-#}
{% materialization connected_components, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set max_rounds = config.get('max_rounds', 40) | int -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set prefix = this.identifier ~ '__cc_' -%}

    {{ run_hooks(pre_hooks) }}

    {%- set input_rel = this.incorporate(path={'identifier': prefix ~ 'input'}, type='table') -%}
    {% do omnichannel.replace_table_as(input_rel, sql) %}

    {%- set labels_sql -%}
        select distinct node, node as label
        from (
            select node_a as node from {{ input_rel }} where node_a is not null
            union all
            select node_b as node from {{ input_rel }} where node_b is not null
        ) as all_nodes
    {%- endset -%}
    {% do omnichannel.replace_table_as(this.incorporate(path={'identifier': prefix ~ 'labels_0'}, type='table'), labels_sql) %}

    {%- set edges_sql -%}
        select distinct src, dst
        from (
            select node_a as src, node_b as dst from {{ input_rel }}
            union all
            select node_b as src, node_a as dst from {{ input_rel }}
        ) as both_directions
        where src is not null and dst is not null and src <> dst
    {%- endset -%}
    {% do omnichannel.replace_table_as(this.incorporate(path={'identifier': prefix ~ 'edges_0'}, type='table'), edges_sql) %}

    {%- set state = namespace(round=0, done=false, edges=0) -%}
    {%- for round_number in range(1, max_rounds + 2) -%}
        {%- if not state.done -%}
            {%- set edges_rel = this.incorporate(path={'identifier': prefix ~ 'edges_' ~ state.round}, type='table') -%}
            {%- set labels_rel = this.incorporate(path={'identifier': prefix ~ 'labels_' ~ state.round}, type='table') -%}
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
                {%- set picks_sql -%}
                    select
                        src as node,
                        substr(min(concat(md5(concat(candidate, '#{{ round_number }}')), candidate)), 33)
                            as pick
                    from (
                        select src, dst as candidate from {{ edges_rel }}
                        union all
                        select distinct src, src as candidate from {{ edges_rel }}
                    ) as candidates
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
                {%- set next_labels_sql -%}
                    select
                        labels.node,
                        coalesce(picks.pick, labels.label) as label
                    from {{ labels_rel }} as labels
                    left join {{ picks_rel }} as picks
                        on labels.label = picks.node
                {%- endset -%}
                {% do omnichannel.replace_table_as(this.incorporate(path={'identifier': prefix ~ 'labels_' ~ round_number}, type='table'), next_labels_sql) %}
                {% do adapter.drop_relation(edges_rel) %}
                {% do adapter.drop_relation(labels_rel) %}
                {% do adapter.drop_relation(picks_rel) %}
                {%- set state.round = round_number -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {{ log(model.name ~ ": connected components converged in " ~ state.round ~ " rounds", info=True) }}

    {%- set final_labels_rel = this.incorporate(path={'identifier': prefix ~ 'labels_' ~ state.round}, type='table') -%}
    {%- set intermediate_relation = this.incorporate(path={'identifier': prefix ~ 'result'}, type='table') -%}
    {%- set final_sql -%}
        select
            node,
            min(node) over (partition by label) as component_id,
            {{ state.round }} as contraction_rounds
        from {{ final_labels_rel }}
    {%- endset -%}
    {% do omnichannel.replace_table_as(intermediate_relation, final_sql) %}

    {% call statement('main') -%}
        select count(*) from {{ intermediate_relation }}
    {%- endcall %}

    {% if existing_relation is not none %}
        {% do adapter.drop_relation(existing_relation) %}
    {% endif %}
    {% do adapter.rename_relation(intermediate_relation, target_relation) %}
    {% do adapter.drop_relation(final_labels_rel) %}
    {% do adapter.drop_relation(this.incorporate(path={'identifier': prefix ~ 'edges_' ~ state.round}, type='table')) %}
    {% do adapter.drop_relation(input_rel) %}

    {{ run_hooks(post_hooks) }}
    {% do persist_docs(target_relation, model) %}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
