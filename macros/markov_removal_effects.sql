{#-
    Exact first-order markov attribution from transition counts: reads (from_state, to_state,
    transition_count) from the relation with run_query, forms the transition probabilities of
    the absorbing chain (transient states: 'start' and the channels; absorbing: 'conversion',
    'null'), solves (I - Q) x = r for the probability of reaching conversion from every state
    (solve_linear_system), and again with each channel removed (its x forced to 0: every
    transition into it goes to null). removal_effect = 1 - P(conversion | channel removed) /
    P(conversion). Returns a list of [channel, removal_effect, conversion_probability,
    conversion_probability_without]; an empty list at parse time, before the relation exists
    (e.g. when a linter compiles) or without transitions.
-#}
{% macro markov_removal_effects(transitions_relation) %}
    {%- if not execute or load_relation(transitions_relation) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set table = run_query(
        "select from_state, to_state, sum(transition_count) as transition_count from "
        ~ transitions_relation ~ " group by from_state, to_state order by from_state, to_state"
    ) -%}
    {%- set states = [] -%}
    {%- set out_totals = {} -%}
    {%- set counts = {} -%}
    {%- for row in table.rows -%}
        {%- set from_state = row[0] | string -%}
        {%- set to_state = row[1] | string -%}
        {%- if from_state not in states -%}
            {%- do states.append(from_state) -%}
        {%- endif -%}
        {%- do out_totals.update({from_state: out_totals.get(from_state, 0) + (row[2] | int)}) -%}
        {%- do counts.update({from_state ~ '|' ~ to_state: row[2] | int}) -%}
    {%- endfor -%}
    {%- if states | length == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set channels = [] -%}
    {%- for state in states if state != 'start' -%}
        {%- do channels.append(state) -%}
    {%- endfor -%}
    {%- set removals = [none] + channels -%}
    {%- set probabilities = [] -%}
    {%- for removed in removals -%}
        {%- set variables = [] -%}
        {%- for state in states if state != removed -%}
            {%- do variables.append(state) -%}
        {%- endfor -%}
        {%- set matrix = [] -%}
        {%- set rhs = [] -%}
        {%- for state_i in variables -%}
            {%- set row = [] -%}
            {%- for state_j in variables -%}
                {%- set probability = counts.get(state_i ~ '|' ~ state_j, 0)
                    / out_totals[state_i] -%}
                {%- do row.append((1.0 if state_i == state_j else 0.0) - probability) -%}
            {%- endfor -%}
            {%- do matrix.append(row) -%}
            {%- do rhs.append(counts.get(state_i ~ '|conversion', 0) / out_totals[state_i]) -%}
        {%- endfor -%}
        {%- set solution = omnichannel.solve_linear_system(matrix, rhs) -%}
        {%- do probabilities.append(solution[variables.index('start')]) -%}
    {%- endfor -%}
    {%- set full_probability = probabilities[0] -%}
    {%- set results = [] -%}
    {%- for channel in channels -%}
        {%- set without = probabilities[loop.index] -%}
        {%- set effect = (1.0 - without / full_probability) if full_probability > 0 else 0.0 -%}
        {%- do results.append([channel, effect, full_probability, without]) -%}
    {%- endfor -%}
    {{ return(results) }}
{% endmacro %}
