"""The feed registry: docs/sources.md encoded as data.

One `Feed` per file kind. Everything the landing code and the quality suites need to know about a
feed lives here: where its files are (source folder + glob), how to parse them (format, title
lines to skip, JSON flattening), which raw table they land in, and what the suite checks
(required columns, timestamp columns and their formats, numeric columns, enumerations).

Change docs/sources.md and this file together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["csv", "ndjson", "line_webhook", "meta_webhook"]

#: Timestamp kinds: a list of strptime formats, or one of these epoch / ISO kinds.
EPOCH_S = "epoch_s"
EPOCH_MS = "epoch_ms"
EPOCH_US = "epoch_us"
ISO = "iso8601"


def snake_case(name: str) -> str:
    """Vendor header or JSON key -> raw column name.

    Lower case, camelCase split, runs of non-alphanumerics become `_`, trimmed:
    `Lineitem quantity` -> `lineitem_quantity`, `Amount spent (TWD)` -> `amount_spent_twd`,
    `Impr.` -> `impr`, `smtp-id` -> `smtp_id`, `userId` -> `user_id`.
    """
    name = name.strip().lstrip("\ufeff")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    name = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()
    return name or "column"


@dataclass(frozen=True)
class Enum:
    """Values a column takes. `strict=False`: other values are kept and counted as flagged
    (e.g. event types a vendor adds later); `strict=True`: other values fail the file."""

    column: str
    values: tuple[str, ...]
    strict: bool = False


@dataclass(frozen=True)
class Feed:
    source: str
    name: str
    glob: str
    format: Format
    table: str
    #: documented raw data columns, in order (CSV: snake_case of the documented header)
    columns: tuple[str, ...]
    required: tuple[str, ...]
    #: raw column -> timestamp kind (EPOCH_*, ISO) or tuple of strptime formats
    timestamps: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    numerics: tuple[str, ...] = ()
    enums: tuple[Enum, ...] = ()
    #: CSV: lines before the header (Google Ads' title and date-range lines)
    skip_lines: int = 0
    #: JSON: raw column -> path of keys in the record (for the webhook formats the path is
    #: relative to the event / messaging item; `^` marks a key of the enclosing body/entry)
    json_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: GA4: event parameters flattened to `param__<key>`
    params: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def is_json(self) -> bool:
        return self.format != "csv"


def _csv_columns(header: str) -> tuple[str, ...]:
    return tuple(snake_case(h) for h in header.split(","))


def _paths(*cols: str) -> dict[str, tuple[str, ...]]:
    """Raw column `a__b_c` for JSON path given explicitly as 'a.bC'."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in cols:
        keys = tuple(spec.split("."))
        out["__".join(snake_case(k) for k in keys if k != "^")] = keys
    return out


ISO_FORMATS = ISO
DATE = ("%Y-%m-%d",)

GA4_PARAMS = (
    "ga_session_id",
    "ga_session_number",
    "page_location",
    "page_referrer",
    "page_title",
    "engagement_time_msec",
    "source",
    "medium",
    "campaign",
    "content_tag",
)

_ga4_paths = _paths(
    "event_date",
    "event_timestamp",
    "event_name",
    "user_id",
    "user_pseudo_id",
    "platform",
    "stream_id",
    "device.category",
    "device.operating_system",
    "device.web_info.browser",
    "geo.country",
    "geo.city",
    "collected_traffic_source.manual_campaign_id",
    "collected_traffic_source.manual_campaign_name",
    "collected_traffic_source.manual_source",
    "collected_traffic_source.manual_medium",
    "collected_traffic_source.gclid",
    "ecommerce.transaction_id",
    "ecommerce.purchase_revenue",
)

_line_paths = _paths(
    "^destination",
    "type",
    "mode",
    "timestamp",
    "webhookEventId",
    "replyToken",
    "source.type",
    "source.userId",
    "source.groupId",
    "source.roomId",
    "deliveryContext.isRedelivery",
    "message.id",
    "message.type",
    "message.text",
    "postback.data",
    "link.result",
    "link.nonce",
    "beacon.type",
    "unsend.messageId",
)

_sendgrid_paths = {
    snake_case(k): (k,)
    for k in (
        "email",
        "timestamp",
        "event",
        "sg_event_id",
        "sg_message_id",
        "smtp-id",
        "category",
        "url",
        "useragent",
        "ip",
        "reason",
        "status",
        "type",
        "campaign_id",
        "content_tags",
    )
}

_meta_paths = {
    "object": ("^^object",),
    "entry__id": ("^id",),
    "entry__time": ("^time",),
    **_paths(
        "sender.id",
        "recipient.id",
        "timestamp",
        "message.mid",
        "message.text",
        "message.is_echo",
        "postback.mid",
        "postback.title",
        "postback.payload",
        "read.mid",
    ),
}

_shlink_paths = _paths(
    "shortUrl.shortCode",
    "shortUrl.shortUrl",
    "shortUrl.longUrl",
    "shortUrl.dateCreated",
    "shortUrl.tags",
    "shortUrl.title",
    "visit.referer",
    "visit.date",
    "visit.userAgent",
    "visit.visitLocation.countryCode",
    "visit.visitLocation.cityName",
    "visit.potentialBot",
    "visit.visitedUrl",
)

SUBJECT_TYPES = ("email", "phone", "member_number", "line_user_id")

FEEDS_LIST: tuple[Feed, ...] = (
    Feed(
        source="crm_contacts",
        name="hubspot_contacts",
        glob="hubspot-crm-exports-*.csv",
        format="csv",
        table="crm_contacts",
        columns=_csv_columns(
            "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,"
            "Lifecycle Stage,Create Date,Last Modified Date,Member Number,LINE User ID,"
            "Email Opt In,SMS Opt In,LINE Opt In"
        ),
        required=("record_id", "create_date"),
        timestamps={
            "create_date": ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"),
            "last_modified_date": ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"),
        },
        enums=(
            Enum(
                "lifecycle_stage",
                (
                    "subscriber",
                    "lead",
                    "marketingqualifiedlead",
                    "salesqualifiedlead",
                    "opportunity",
                    "customer",
                    "evangelist",
                    "other",
                ),
            ),
            Enum("email_opt_in", ("true", "false")),
            Enum("sms_opt_in", ("true", "false")),
            Enum("line_opt_in", ("true", "false")),
        ),
    ),
    Feed(
        source="shop_orders",
        name="shopify_orders",
        glob="orders_export*.csv",
        format="csv",
        table="shop_orders",
        columns=_csv_columns(
            "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,"
            "Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,"
            "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,"
            "Billing Phone,Shipping Phone,Notes,Cancelled at,Payment Method,Refunded Amount,Id,"
            "Tags,Source,Phone"
        ),
        required=("name", "id", "lineitem_quantity", "lineitem_price"),
        timestamps={
            c: ("%Y-%m-%d %H:%M:%S %z",) for c in ("created_at", "paid_at", "cancelled_at")
        },
        numerics=(
            "subtotal",
            "shipping",
            "taxes",
            "total",
            "discount_amount",
            "lineitem_quantity",
            "lineitem_price",
            "refunded_amount",
        ),
        enums=(
            Enum(
                "financial_status",
                ("paid", "partially_refunded", "refunded", "pending", "authorized", "voided"),
            ),
            Enum("source", ("web", "shopify_app")),
        ),
    ),
    Feed(
        source="pos_transactions",
        name="pos_lines",
        glob="pos_*.csv",
        format="csv",
        table="pos_transactions",
        columns=_csv_columns(
            "store_id,store_name,transaction_no,transaction_time,member_no,phone,item_sku,"
            "item_name,quantity,unit_price,amount,payment_type,transaction_type"
        ),
        required=("store_id", "transaction_no", "transaction_time", "quantity", "amount"),
        timestamps={"transaction_time": ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S")},
        numerics=("quantity", "unit_price", "amount"),
        enums=(
            Enum("payment_type", ("cash", "card", "line_pay", "easycard")),
            Enum("transaction_type", ("SALE", "RETURN"), strict=True),
        ),
    ),
    Feed(
        source="web_events",
        name="ga4_events",
        glob="events_*.json",
        format="ndjson",
        table="web_events",
        columns=(*_ga4_paths, *(f"param__{p}" for p in GA4_PARAMS)),
        required=("event_date", "event_timestamp", "event_name", "user_pseudo_id"),
        timestamps={"event_timestamp": EPOCH_US, "event_date": ("%Y%m%d",)},
        numerics=("ecommerce__purchase_revenue",),
        enums=(
            Enum(
                "event_name",
                (
                    "session_start",
                    "first_visit",
                    "page_view",
                    "user_engagement",
                    "view_item",
                    "add_to_cart",
                    "begin_checkout",
                    "purchase",
                    "login",
                    "screen_view",
                    "notification_open",
                    "app_open",
                ),
            ),
            Enum("platform", ("WEB", "ANDROID", "IOS")),
        ),
        json_paths=_ga4_paths,
        params=GA4_PARAMS,
    ),
    Feed(
        source="line_events",
        name="line_webhook",
        glob="webhook_*.json",
        format="line_webhook",
        table="line_events",
        columns=tuple(_line_paths),
        required=("type", "timestamp"),
        timestamps={"timestamp": EPOCH_MS},
        enums=(
            Enum(
                "type",
                (
                    "message",
                    "follow",
                    "unfollow",
                    "join",
                    "leave",
                    "memberJoined",
                    "memberLeft",
                    "postback",
                    "beacon",
                    "accountLink",
                    "things",
                    "unsend",
                    "videoPlayComplete",
                    "activated",
                    "deactivated",
                    "botSuspended",
                    "botResumed",
                    "module",
                    "delivery",
                ),
            ),
        ),
        json_paths=_line_paths,
    ),
    Feed(
        source="line_events",
        name="line_send_log",
        glob="send_log_*.csv",
        format="csv",
        table="line_send_log",
        columns=_csv_columns(
            "request_id,sent_at,line_user_id,campaign_id,message_type,content_tags,short_code,"
            "status,error_code,unit_cost,currency"
        ),
        required=("request_id", "sent_at", "line_user_id", "status"),
        timestamps={"sent_at": ISO},
        numerics=("unit_cost",),
        enums=(Enum("status", ("delivered", "failed")),),
    ),
    Feed(
        source="sms_messages",
        name="twilio_messages",
        glob="twilio_messages_*.csv",
        format="csv",
        table="sms_messages",
        columns=_csv_columns(
            "From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,"
            "Direction,Price,PriceUnit"
        ),
        required=("sid", "sent_date", "status", "direction", "to", "from"),
        timestamps={"sent_date": ISO},
        numerics=("num_segments", "price"),
        enums=(
            Enum(
                "status",
                (
                    "queued",
                    "sending",
                    "sent",
                    "failed",
                    "delivered",
                    "undelivered",
                    "receiving",
                    "received",
                    "read",
                    "canceled",
                ),
            ),
            Enum("direction", ("outbound-api", "inbound", "outbound-reply")),
        ),
    ),
    Feed(
        source="email_events",
        name="sendgrid_events",
        glob="sendgrid_events_*.json",
        format="ndjson",
        table="email_events",
        columns=tuple(_sendgrid_paths),
        required=("email", "timestamp", "event", "sg_event_id"),
        timestamps={"timestamp": EPOCH_S},
        enums=(
            Enum(
                "event",
                (
                    "processed",
                    "dropped",
                    "delivered",
                    "deferred",
                    "bounce",
                    "open",
                    "click",
                    "spamreport",
                    "unsubscribe",
                    "group_unsubscribe",
                    "group_resubscribe",
                ),
            ),
        ),
        json_paths=_sendgrid_paths,
    ),
    Feed(
        source="social_messages",
        name="meta_webhook",
        glob="webhook_*.json",
        format="meta_webhook",
        table="social_messages",
        columns=tuple(_meta_paths),
        required=("object", "timestamp", "sender__id"),
        timestamps={"timestamp": EPOCH_MS, "entry__time": EPOCH_MS},
        enums=(Enum("object", ("page", "instagram"), strict=True),),
        json_paths=_meta_paths,
    ),
    Feed(
        source="social_messages",
        name="inbox_contacts",
        glob="inbox_contacts_*.csv",
        format="csv",
        table="social_contacts",
        columns=_csv_columns(
            "contact_id,channel,channel_user_id,name,email,phone,created_at,last_message_at,"
            "conversation_status,assignee"
        ),
        required=("contact_id", "channel", "channel_user_id", "created_at"),
        timestamps={"created_at": ISO, "last_message_at": ISO},
        enums=(
            Enum("channel", ("line", "messenger", "instagram"), strict=True),
            Enum("conversation_status", ("open", "closed")),
        ),
    ),
    Feed(
        source="ad_spend",
        name="google_ads",
        glob="google_ads_campaign_report_*.csv",
        format="csv",
        table="ad_spend_google_ads",
        columns=_csv_columns(
            "Day,Campaign ID,Campaign,Campaign status,Currency code,Impr.,Clicks,Cost,Conversions"
        ),
        required=("day", "campaign_id", "cost"),
        timestamps={"day": DATE},
        numerics=("impr", "clicks", "cost", "conversions"),
        skip_lines=2,
    ),
    Feed(
        source="ad_spend",
        name="meta_ads",
        glob="meta_ads_insights_*.csv",
        format="csv",
        table="ad_spend_meta_ads",
        columns=_csv_columns(
            "Day,Campaign name,Campaign ID,Amount spent (TWD),Impressions,Reach,Link clicks,"
            "Results,Reporting starts,Reporting ends"
        ),
        required=("day", "campaign_id", "amount_spent_twd"),
        timestamps={"day": DATE, "reporting_starts": DATE, "reporting_ends": DATE},
        numerics=("amount_spent_twd", "impressions", "reach", "link_clicks", "results"),
    ),
    Feed(
        source="link_clicks",
        name="shlink_visits",
        glob="visits_*.json",
        format="ndjson",
        table="link_clicks",
        columns=tuple(_shlink_paths),
        required=("short_url__short_code", "visit__date"),
        timestamps={"visit__date": ISO, "short_url__date_created": ISO},
        json_paths=_shlink_paths,
    ),
    Feed(
        source="consent",
        name="consent_events",
        glob="consent_*.csv",
        format="csv",
        table="consent",
        columns=_csv_columns(
            "event_id,occurred_at,subject_type,subject_value,channel,status,source"
        ),
        required=_csv_columns(
            "event_id,occurred_at,subject_type,subject_value,channel,status,source"
        ),
        timestamps={"occurred_at": ISO},
        enums=(
            Enum("subject_type", SUBJECT_TYPES, strict=True),
            Enum(
                "channel",
                ("email", "sms", "line", "messenger", "instagram", "app_push"),
                strict=True,
            ),
            Enum("status", ("granted", "withdrawn"), strict=True),
            Enum(
                "source",
                ("crm", "shop_checkout", "store", "line_follow", "unsubscribe_link"),
            ),
        ),
    ),
    Feed(
        source="erasure_requests",
        name="erasure_requests",
        glob="erasure_requests_*.csv",
        format="csv",
        table="erasure_requests",
        columns=_csv_columns("request_id,requested_at,subject_type,subject_value"),
        required=_csv_columns("request_id,requested_at,subject_type,subject_value"),
        timestamps={"requested_at": ISO},
        enums=(Enum("subject_type", SUBJECT_TYPES, strict=True),),
    ),
)

#: feed key (`<source>/<feed>`) -> Feed
FEEDS: dict[str, Feed] = {f.key: f for f in FEEDS_LIST}

#: source names, in landing order
SOURCES: list[str] = list(dict.fromkeys(f.source for f in FEEDS_LIST))

#: every raw table the landing writes, in source order
RAW_TABLES: list[str] = [f.table for f in FEEDS_LIST]


def feeds_for(source: str) -> list[Feed]:
    """The feeds of one source; raises KeyError naming the known sources."""
    found = [f for f in FEEDS_LIST if f.source == source]
    if not found:
        raise KeyError(f"unknown source {source!r}; known sources: {', '.join(SOURCES)}")
    return found
