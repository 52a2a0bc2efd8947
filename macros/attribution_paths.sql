{#-
    Shared pieces of the journey and attribution models.

    relation_or_ref: the relation a model reads - var(var_name) when it is set (the markov /
    shapley oracle tests and the attribution benchmark feed their own paths or touches through
    vars attribution_paths_relation and attribution_journey_touches_relation), else
    ref(model_name).

    path_transitions: from a relation of path steps (path_id, is_converting, step, channel),
    every move of every path: start -> first channel, each channel -> the next one, the last
    channel -> 'conversion' or 'null'. journey_transitions counts them per step (Sankey) and
    int_markov_transitions_counted over all steps (the markov chain), so both read one
    definition of a move.

    channel_path: the ordered channel path of a group of touches as one string, 'a > b > c'.
-#}
{% macro relation_or_ref(var_name, model_name) -%}
    {%- if var(var_name) -%}
        {{ var(var_name) }}
    {%- else -%}
        {{ ref(model_name) }}
    {%- endif -%}
{%- endmacro %}

{% macro path_transitions(steps) -%}
    select
        path_id,
        is_converting,
        0 as from_step,
        'start' as from_state,
        channel as to_state
    from {{ steps }}
    where step = 1
    union all
    select
        path_id,
        is_converting,
        step as from_step,
        channel as from_state,
        coalesce(
            lead(channel) over (partition by path_id order by step),
            case when is_converting then 'conversion' else 'null' end
        ) as to_state
    from {{ steps }}
{%- endmacro %}

{% macro channel_path(channel='channel', order_by='touch_position') -%}
    {{ dbt.listagg(channel, "' > '", 'order by ' ~ order_by) }}
{%- endmacro %}
