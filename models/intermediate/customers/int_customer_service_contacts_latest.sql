{#-
    The customer's latest customer-service conversation (int_service_chats_sessionized: LINE,
    Messenger, Instagram chats), its channel, and whether it is still open: the service inbox's
    conversation_status of that channel user (latest inbox export) is 'open'. One row per
    customer who ever chatted; ties on start time broken by chat id.
-#}
with

chats as (
    select * from {{ ref('int_service_chats_sessionized') }}
),

inbox_contacts as (
    select * from {{ ref('stg_inbox__contacts') }}
),

customers as (
    select * from {{ ref('int_customers_stitched') }}
),

chats_ranked as (
    select
        customers.customer_id,
        chats.service_chat_id,
        chats.channel,
        chats.channel_user_id,
        chats.chat_started_at,
        chats.chat_ended_at,
        row_number() over (
            partition by customers.customer_id
            order by chats.chat_started_at desc, chats.service_chat_id desc
        ) as recency_rank
    from chats
    inner join customers
        on
            {{ omnichannel.identifier_key(
                'chats.identifier_type', omnichannel.hash_pii('chats.channel_user_id')
            ) }} = customers.identifier_key
    where not customers.is_erased
),

inbox_status as (
    select
        channel,
        channel_user_id,
        max(case when conversation_status = 'open' then 1 else 0 end) = 1 as is_open
    from inbox_contacts
    group by channel, channel_user_id
),

final as (
    select
        chats_ranked.customer_id,
        chats_ranked.service_chat_id as last_service_chat_id,
        chats_ranked.channel as last_service_channel,
        coalesce(inbox_status.is_open, false) as is_last_service_chat_open,
        chats_ranked.chat_started_at as last_service_chat_started_at,
        chats_ranked.chat_ended_at as last_service_chat_ended_at
    from chats_ranked
    left join inbox_status
        on
            chats_ranked.channel = inbox_status.channel
            and chats_ranked.channel_user_id = inbox_status.channel_user_id
    where chats_ranked.recency_rank = 1
)

select * from final
