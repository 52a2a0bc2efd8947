{#-
    Solve A x = b exactly (up to double rounding) by Gaussian elimination with partial pivoting,
    in Jinja, for the small dense systems of the markov attribution model (one row per chain
    state, at most a few dozen). matrix: list of rows (lists of floats); rhs: list of floats.
    Returns x as a list of floats; a singular matrix fails the run.
-#}
{% macro solve_linear_system(matrix, rhs) %}
    {%- set n = rhs | length -%}
    {%- set rows = [] -%}
    {%- for i in range(n) -%}
        {%- set row = [] -%}
        {%- for j in range(n) -%}
            {%- do row.append(matrix[i][j] * 1.0) -%}
        {%- endfor -%}
        {%- do row.append(rhs[i] * 1.0) -%}
        {%- do rows.append(row) -%}
    {%- endfor -%}
    {%- for k in range(n) -%}
        {%- set pivot = namespace(index=k, size=-1.0) -%}
        {%- for i in range(k, n) -%}
            {%- if (rows[i][k] | abs) > pivot.size -%}
                {%- set pivot.size = rows[i][k] | abs -%}
                {%- set pivot.index = i -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if pivot.size == 0 -%}
            {{ exceptions.raise_compiler_error(
                "solve_linear_system: singular matrix at column " ~ k) }}
        {%- endif -%}
        {%- if pivot.index != k -%}
            {%- set pivot_row = rows[pivot.index] -%}
            {%- set current_row = rows[k] -%}
            {%- do rows.pop(pivot.index) -%}
            {%- do rows.insert(pivot.index, current_row) -%}
            {%- do rows.pop(k) -%}
            {%- do rows.insert(k, pivot_row) -%}
        {%- endif -%}
        {%- set pivot_row = rows[k] -%}
        {%- for i in range(k + 1, n) -%}
            {%- set factor = rows[i][k] / pivot_row[k] -%}
            {%- if factor != 0 -%}
                {%- set eliminated = [] -%}
                {%- for j in range(n + 1) -%}
                    {%- do eliminated.append(rows[i][j] - factor * pivot_row[j]) -%}
                {%- endfor -%}
                {%- do rows.pop(i) -%}
                {%- do rows.insert(i, eliminated) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set solution = [] -%}
    {%- for i in range(n) -%}
        {%- do solution.append(0.0) -%}
    {%- endfor -%}
    {%- for i in range(n - 1, -1, -1) -%}
        {%- set acc = namespace(value=rows[i][n]) -%}
        {%- for j in range(i + 1, n) -%}
            {%- set acc.value = acc.value - rows[i][j] * solution[j] -%}
        {%- endfor -%}
        {%- do solution.pop(i) -%}
        {%- do solution.insert(i, acc.value / rows[i][i]) -%}
    {%- endfor -%}
    {{ return(solution) }}
{% endmacro %}
