{%- set float_type = 'double' -%}
{%- set string_type = api.Column.translate_type('string') -%}
{#-
    Exact markov removal effect per channel: the transition counts of
    int_markov_transitions_counted are read at run time and the absorbing chain is solved by
    Gaussian elimination in the macro markov_removal_effects (no simulation); the results are
    written back as a literal relation, so the model is the same SQL on DuckDB and Spark.
-#}
{%- set effects = omnichannel.markov_removal_effects(ref('int_markov_transitions_counted')) -%}
with

effects as (
    {%- for channel, effect, probability, without in effects %}
        select
            '{{ channel }}' as channel,
            cast({{ effect }} as {{ float_type }}) as removal_effect,
            cast({{ probability }} as {{ float_type }}) as conversion_probability,
            cast({{ without }} as {{ float_type }}) as conversion_probability_without
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- else %}
        select
            cast(null as {{ string_type }}) as channel,
            cast(null as {{ float_type }}) as removal_effect,
            cast(null as {{ float_type }}) as conversion_probability,
            cast(null as {{ float_type }}) as conversion_probability_without
        where 1 = 0
    {%- endfor %}
)

select * from effects
