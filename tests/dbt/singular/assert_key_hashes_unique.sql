-- No two identifier keys share a key_hash (macro key_hash): the models that look up a run's
-- keys by it (macro identity_occurrences_of_keys) would give one key the other's occurrences.
-- A row names the hash and how many keys share it (at 10M keys the chance of any is about
-- 3e-6). Should one appear, the rows of those keys may hold each other's occurrences:
-- `--full-refresh` rebuilds them exactly (a full build joins on the strings); report it.
with

occurrences as (
    select * from {{ ref('int_identifiers_unioned') }}
),

keys as (
    select distinct
        identifier_key,
        key_hash
    from occurrences
)

select
    key_hash,
    count(*) as key_count
from keys
group by key_hash
having count(*) > 1
