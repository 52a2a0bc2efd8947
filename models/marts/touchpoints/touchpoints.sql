{{ config(
    materialized='incremental' if omnichannel.touch_changes_enabled() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ omnichannel.touchpoints_mart_prepare() }}",
    post_hook="{{ omnichannel.touchpoints_mart_finish() }}",
) }}
{#-
    The touchpoint mart: int_touchpoints_unioned with had_consent from
    int_touch_consents_checked (null for touches that are not brand messages).
    Incremental on DuckDB (var touchpoints_incremental; macros/touch_changes.sql): a row is a
    function of its touch's rows in the two inputs, and each input logs (__changes) every touch
    whose row it re-derived or deleted. The pre-hook deletes and this SQL re-derives the
    touches either logged since this mart's last run (rebuilding in full when an input was
    rebuilt in full or the logs no longer reach back to that run), so the table equals a full
    refresh's. --full-refresh, the var off and Spark rebuild in full.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
    {% if is_incremental() %}
        where touchpoint_id in (
            select touchpoint_id from {{ omnichannel.touch_changes_affected() }}
        )
    {% endif %}
),

touch_consents as (
    select * from {{ ref('int_touch_consents_checked') }}
    {% if is_incremental() %}
        where touchpoint_id in (
            select touchpoint_id from {{ omnichannel.touch_changes_affected() }}
        )
    {% endif %}
),

final as (
    select
        touchpoints.touchpoint_id,
        touchpoints.customer_id,
        touchpoints.source_name,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.cost,
        touchpoints.is_engaged,
        touch_consents.had_consent,
        touchpoints.occurred_at
    from touchpoints
    left join touch_consents
        on touchpoints.touchpoint_id = touch_consents.touchpoint_id
)

select * from final
