{#-
    Spark twin of dbt.split_part: Spark's own split_part (3.3+), which behaves as DuckDB's does (a
    literal delimiter, '' when the part is out of range, negative parts counted from the end) and
    takes a column as part_number. dbt-spark's version splits on a regular expression, returns
    NULL out of range and needs a literal integer part_number.
-#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}
