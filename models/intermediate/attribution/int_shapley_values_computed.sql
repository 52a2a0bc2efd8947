{{ config(
    pre_hook="{{ omnichannel.attribution_changes_prepare('shapley') }}",
    post_hook="{{ omnichannel.attribution_changes_finish() }}",
) }}
{#- the pre-hook reads the paths (the var set or not: one dependency graph) -#}
{%- do ref('int_attribution_paths_transformed') -%}
{%- set max_channels = 16 -%}
{%- set float_type = 'double' -%}
{%- set bigint_type = api.Column.translate_type('bigint') -%}
{#-
    Exact Shapley value per channel over every coalition of the channels present in the paths
    (at most 16: 2^n coalitions enumerated in SQL as bit masks). The game is the conversion-rate
    game over path channel sets: v(S) = conversions / paths among the paths (converting and
    non-converting) whose channel set is a subset of S, v(empty) = 0. Shapley value
    phi(c) = sum over S without c of |S|! (n - |S| - 1)! / n! x (v(S + c) - v(S)); the values sum
    to v(all channels), the overall conversion rate of the paths. A channel can get a negative
    value (paths with it convert less than paths without it).
    On DuckDB with var journeys_incremental (and no attribution_paths_relation) the paths per
    channel set are kept per customer in __by_customer, whose pre-hook recounts only the
    customers whose paths changed (macros/attribution_changes.sql, doc
    attribution_sums_incremental): set_counts sums it.
-#}
with

{% if omnichannel.attribution_changes_enabled() %}
    sets_by_customer as (
        select * from {{ omnichannel.attribution_changes_state() }}
    ),

    set_totals as (
        select
            channel_set,
            sum(path_count) as path_count,
            sum(conversion_count) as conversion_count
        from sets_by_customer
        group by channel_set
    ),

    set_channels as (
        select distinct
            channel_set,
            unnest(string_split(channel_set, ',')) as channel
        from set_totals
    ),

    channels_present as (
        select
            channel,
            row_number() over (order by channel) - 1 as channel_index
        from (select distinct channel from set_channels) as distinct_channels
    ),
{% else %}
    steps as (
        select * from {{
            relation_or_ref('attribution_paths_relation', 'int_attribution_paths_transformed')
        }}
    ),

    channels_present as (
        select
            channel,
            row_number() over (order by channel) - 1 as channel_index
        from (select distinct channel from steps) as distinct_channels
    ),
{% endif %}

channel_bits as (
    select
        channel,
        channel_index,
        cast(power(2, channel_index) as {{ bigint_type }}) as channel_bit,
        count(*) over () as channel_count
    from channels_present
),

channel_totals as (
    select
        count(*) as channel_count,
        cast(power(2, count(*)) as {{ bigint_type }}) as coalition_count
    from channels_present
),

{% if omnichannel.attribution_changes_enabled() %}
    set_counts as (
        select
            set_totals.path_count,
            set_totals.conversion_count,
            sum(channel_bits.channel_bit) as path_mask
        from set_totals
        inner join set_channels
            on set_totals.channel_set = set_channels.channel_set
        inner join channel_bits
            on set_channels.channel = channel_bits.channel
        group by set_totals.channel_set, set_totals.path_count, set_totals.conversion_count
    ),
{% else %}
    path_channels as (
        select distinct
            steps.path_id,
            steps.is_converting,
            channel_bits.channel_bit
        from steps
        inner join channel_bits
            on steps.channel = channel_bits.channel
    ),

    path_sets as (
        select
            path_id,
            max(case when is_converting then 1 else 0 end) as conversion_count,
            sum(channel_bit) as path_mask
        from path_channels
        group by path_id
    ),

    set_counts as (
        select
            path_mask,
            count(*) as path_count,
            sum(conversion_count) as conversion_count
        from path_sets
        group by path_mask
    ),
{% endif %}

bits as (
    select 0 as bit_value
    union all
    select 1 as bit_value
),

coalitions as (
    select
        {%- for index in range(max_channels) %}
            bit_{{ index }}.bit_value * {{ 2 ** index }}{{ ' +' if not loop.last }}
        {%- endfor %} as coalition_mask
    from
        bits as bit_0
        {%- for index in range(1, max_channels) %}
        cross join bits as bit_{{ index }}
        {%- endfor %}
),

coalitions_present as (
    select coalitions.coalition_mask
    from coalitions
    cross join channel_totals
    where coalitions.coalition_mask < channel_totals.coalition_count
),

coalition_values as (
    select
        coalitions_present.coalition_mask,
        case
            when sum(set_counts.path_count) > 0
                then
                    cast(sum(set_counts.conversion_count) as {{ float_type }})
                    / sum(set_counts.path_count)
            else 0.0
        end as coalition_value
    from coalitions_present
    left join set_counts
        on
            {{ omnichannel.bitwise_and(
                'set_counts.path_mask', 'coalitions_present.coalition_mask'
            ) }}
            = set_counts.path_mask
    group by coalitions_present.coalition_mask
),

coalition_sizes as (
    select
        coalition_values.coalition_mask,
        coalition_values.coalition_value,
        sum(
            case
                when
                    {{ omnichannel.bitwise_and(
                        'coalition_values.coalition_mask', 'channel_bits.channel_bit'
                    ) }} != 0
                    then 1
                else 0
            end
        ) as coalition_size
    from coalition_values
    cross join channel_bits
    group by coalition_values.coalition_mask, coalition_values.coalition_value
),

{#- weight(n, s) = s! (n - s - 1)! / n!, for every n up to max_channels -#}
{%- set weights = [] -%}
{%- for n in range(1, max_channels + 1) -%}
    {%- for s in range(n) -%}
        {%- set factorials = namespace(s=1, rest=1, n=1) -%}
        {%- for k in range(2, s + 1) %}{% set factorials.s = factorials.s * k %}{% endfor -%}
        {%- for k in range(2, n - s) %}{% set factorials.rest = factorials.rest * k %}{% endfor -%}
        {%- for k in range(2, n + 1) %}{% set factorials.n = factorials.n * k %}{% endfor -%}
        {%- do weights.append([n, s, (factorials.s * factorials.rest) / factorials.n]) -%}
    {%- endfor -%}
{%- endfor %}

shapley_weights as (
    {%- for n, s, weight in weights %}
        select
            {{ n }} as channel_count,
            {{ s }} as coalition_size,
            cast({{ weight }} as {{ float_type }}) as shapley_weight
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

marginal_contributions as (
    select
        channel_bits.channel,
        shapley_weights.shapley_weight
        * (with_channel.coalition_value - without_channel.coalition_value)
            as weighted_contribution
    from coalition_sizes as without_channel
    cross join channel_bits
    inner join coalition_sizes as with_channel
        on
            with_channel.coalition_mask
            = without_channel.coalition_mask + channel_bits.channel_bit
    inner join shapley_weights
        on
            channel_bits.channel_count = shapley_weights.channel_count
            and without_channel.coalition_size = shapley_weights.coalition_size
    where
        {{ omnichannel.bitwise_and('without_channel.coalition_mask', 'channel_bits.channel_bit') }}
        = 0
),

final as (
    select
        channel,
        cast(sum(weighted_contribution) as {{ float_type }}) as shapley_value
    from marginal_contributions
    group by channel
)

select * from final
