{#-
    Where clause of an incremental staging model's source CTE: on an incremental run, only the raw
    rows landed since the latest delivery already staged (`_loaded_at` grows from load to load, and
    raw keeps every delivered copy); nothing on a full build. Raw `_loaded_at` is cast because a
    table landed outside the landing code may hold it as text.
-#}
{% macro new_deliveries_only() -%}
    {%- if is_incremental() %}
        where
            {{ dbt.safe_cast('_loaded_at', api.Column.translate_type('timestamp')) }} > (
                select coalesce(max(_loaded_at), cast('1900-01-01' as timestamp))
                from {{ this }}
            )
    {%- endif %}
{%- endmacro %}

{#-
    Where clause of a "first delivery wins" staging model's final select: the first copy of each
    key in this batch (delivery_rank = 1), and on an incremental run only keys no earlier run has
    staged, so a key staged before keeps its row (SendGrid, Meta, Shlink redeliveries).
-#}
{% macro first_delivery_only(key_column) -%}
    where
        delivery_rank = 1
        {%- if is_incremental() %}
            and {{ key_column }} not in (select staged.{{ key_column }} from {{ this }} as staged)
        {%- endif %}
{%- endmacro %}
