{%- set min_clicks = var('interest_tag_min_clicks') | int -%}
{#-
    Interest tags per customer, learned from the content tags of the messages they clicked: a
    campaign's tags come from the LINE send log and the SendGrid custom argument content_tags
    (pipe-separated; the Twilio log carries none, so SMS clicks count through the campaign's
    tags when the campaign also went out on LINE or email). Every clicked message (one per
    customer x campaign) adds one to each of its tags; a tag with at least
    var interest_tag_min_clicks clicks is an interest. interest_tags lists them by clicks, then
    alphabetically.
-#}
with

line_sends as (
    select * from {{ ref('stg_line__sends') }}
),

sendgrid_events as (
    select * from {{ ref('stg_sendgrid__events') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

campaign_tag_lists as (
    select distinct
        campaign_id,
        content_tags
    from line_sends
    where campaign_id is not null and content_tags is not null
    union
    select distinct
        campaign_id,
        content_tags
    from sendgrid_events
    where campaign_id is not null and content_tags is not null
),

tag_positions as (
    select 1 as tag_position
    union all
    select 2 as tag_position
    union all
    select 3 as tag_position
    union all
    select 4 as tag_position
    union all
    select 5 as tag_position
    union all
    select 6 as tag_position
),

campaign_tags as (
    select distinct
        campaign_tag_lists.campaign_id,
        lower(trim({{ dbt.split_part('campaign_tag_lists.content_tags', "'|'",
            'tag_positions.tag_position') }})) as content_tag
    from campaign_tag_lists
    cross join tag_positions
),

clicked_messages as (
    select distinct
        customer_id,
        campaign_id
    from touchpoints
    where
        touch_type = 'clicked'
        and customer_id is not null
        and campaign_id is not null
),

tag_clicks as (
    select
        clicked_messages.customer_id,
        campaign_tags.content_tag,
        count(*) as click_count
    from clicked_messages
    inner join campaign_tags
        on clicked_messages.campaign_id = campaign_tags.campaign_id
    where campaign_tags.content_tag is not null and campaign_tags.content_tag != ''
    group by clicked_messages.customer_id, campaign_tags.content_tag
),

final as (
    select
        customer_id,
        {{ dbt.listagg('content_tag', "','", 'order by click_count desc, content_tag') }}
            as interest_tags,
        count(*) as interest_tag_count
    from tag_clicks
    where click_count >= {{ min_clicks }}
    group by customer_id
)

select * from final
