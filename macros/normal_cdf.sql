{#-
    Standard normal CDF Phi(x) in portable SQL: 0.5 * (1 + erf(x / sqrt(2))) with erf from
    Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7), using only abs, exp and arithmetic:
    erf(z) = 1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-z^2), t = 1 / (1 + p z), z >= 0,
    p = 0.3275911, a1..a5 = 0.254829592, -0.284496736, 1.421413741, -1.453152027,
    1.061405429; erf(-z) = -erf(z). NULL stays NULL.
-#}
{% macro normal_cdf(x) -%}
    {{ return(adapter.dispatch('normal_cdf', 'omnichannel')(x)) }}
{%- endmacro %}

{% macro default__normal_cdf(x) -%}
    {%- set z = '(abs(' ~ x ~ ') / sqrt(2.0))' -%}
    {%- set t = '(1.0 / (1.0 + 0.3275911 * ' ~ z ~ '))' -%}
    (0.5 * (1.0 + sign({{ x }}) * (1.0 - (
        ((((1.061405429 * {{ t }} - 1.453152027) * {{ t }} + 1.421413741) * {{ t }}
            - 0.284496736) * {{ t }} + 0.254829592) * {{ t }}
    ) * exp(-{{ z }} * {{ z }}))))
{%- endmacro %}
