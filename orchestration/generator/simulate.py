"""Simulate one chunk of people over the whole range and write their rows.

Order of a chunk: people -> consent -> campaigns (LINE, SMS, email, fallback, reactivation,
A/B) -> web/app sessions and ad clicks -> service chats -> conversions (logistic in the touches of
each person-week) -> orders (Shopify with GA4 purchase, or POS) -> files and truth.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _jstr  # type: ignore[attr-defined]
from typing import Any

import numpy as np

from orchestration.generator import params
from orchestration.generator.campaigns import Campaign
from orchestration.generator.population import People, build_people
from orchestration.generator.writers import (
    Sink,
    b64_token,
    dumps,
    hex_token,
    iso_local,
    iso_utc,
    local_date,
    local_month,
    local_stamp,
    mess_email,
    phone_variant,
    short_code,
    ts,
    ulid,
)

DAY = 86400.0
HOUR = 3600.0
#: relative activity per local hour
HOUR_W = np.array(
    [
        1,
        0.5,
        0.3,
        0.2,
        0.2,
        0.3,
        0.8,
        1.5,
        2.5,
        3,
        3,
        3.2,
        4,
        3.5,
        3,
        3,
        3.2,
        3.5,
        4,
        4.5,
        5,
        5,
        4,
        2.5,
    ],
    dtype=float,
)
HOUR_P = HOUR_W / HOUR_W.sum()
CONSENT_CHANNELS = ["email", "sms", "line", "app_push"]
LIFT = params.LIFT_INDEX
BETAS = np.array([params.CHANNEL_LIFTS[c] for c in params.LIFT_CHANNELS])
UA_MOBILE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
UA_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
UA_LINE = UA_MOBILE + " Line/14.6.0"
UA_BOT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
STREAM_WEB, STREAM_ANDROID, STREAM_IOS = "4178912345", "4178912346", "4178912347"
SMS_TEMPLATE = "【OMNI】{title} 限時優惠，點此看更多：{url} 退訂回覆STOP"
LINE_TEXTS = ["請問有M號嗎？", "這件還有貨嗎", "謝謝！", "想問門市有沒有現貨", "優惠碼怎麼用？"]
META_TEXTS = ["Hi, is this still available?", "請問運費多少", "我的訂單什麼時候到？", "想退貨"]
REPLY_TEXTS = ["您好，有的喔！", "已為您查詢，請稍候", "感謝您的訊息，專人將盡快回覆"]


@dataclass
class Context:
    """What every chunk shares: the range, the calendar, running counters, accumulators."""

    seed: int
    days: int
    t0: float
    t1: float
    start_label: str
    end_label: str
    campaigns: list[Campaign]
    sink: Sink
    truth: Sink
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ad_clicks: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    ab_stats: dict[str, dict[str, int]] = field(
        default_factory=lambda: {a: {"recipients": 0, "converted_7d": 0} for a in "AB"}
    )
    bot_cookies: list[str] = field(default_factory=list)
    touch_stats: dict[str, dict[str, float]] = field(default_factory=dict)
    #: expected conversions with every touch, without each channel's touches, without any touch
    #: (filled by truth.accumulate_removal_effects, read by truth.channel_lifts)
    removal: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def next(self, name: str, k: int = 1) -> int:
        """Reserve ``k`` numbers of a running sequence; returns the first."""
        first = self.counters[name]
        self.counters[name] += k
        return first

    def day_of(self, t: float) -> int:
        return int((t - self.t0) // DAY)


class DayFiles:
    """Rows of JSON day files for one chunk, with late delivery and duplicates."""

    def __init__(self, ctx: Context, folder: str, prefix: str) -> None:
        self.ctx, self.folder, self.prefix = ctx, folder, prefix
        self.by_day: dict[int, list[str]] = defaultdict(list)

    def add(self, t: float, line: str, late: bool = False) -> None:
        day = self.ctx.day_of(t) + (1 if late else 0)
        day = min(max(day, 0), self.ctx.days - 1)
        self.by_day[day].append(line)

    def flush(self) -> None:
        for day in sorted(self.by_day):
            label = ts(self.ctx.t0 + day * DAY + 12 * HOUR, params.TPE_OFFSET).strftime("%Y%m%d")
            self.ctx.sink.lines(f"{self.folder}/{self.prefix}{label}.json", self.by_day[day])


class MonthFiles:
    """Rows of monthly CSV files for one chunk."""

    def __init__(self, ctx: Context, folder: str, pattern: str, header: list[str]) -> None:
        self.ctx, self.folder, self.pattern, self.header = ctx, folder, pattern, header
        self.rows: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)

    def add(self, t: float, row: list[Any], key: str = "") -> None:
        self.rows[(key, local_month(t))].append(row)

    def flush(self, encodings: dict[str, str] | None = None, newline: str = "\n") -> None:
        for key, month in sorted(self.rows):
            rel = f"{self.folder}/{self.pattern.format(key=key, month=month)}"
            enc = (encodings or {}).get(key, "utf-8")
            self.ctx.sink.csv(rel, self.header, self.rows[(key, month)], enc, newline=newline)


HEADERS = {
    "hubspot": [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Mobile Phone Number",
        "Lifecycle Stage",
        "Create Date",
        "Last Modified Date",
        "Member Number",
        "LINE User ID",
        "Email Opt In",
        "SMS Opt In",
        "LINE Opt In",
    ],
    "shopify": [
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Fulfillment Status",
        "Accepts Marketing",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Discount Code",
        "Discount Amount",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem sku",
        "Billing Name",
        "Billing Phone",
        "Shipping Phone",
        "Notes",
        "Cancelled at",
        "Payment Method",
        "Refunded Amount",
        "Id",
        "Tags",
        "Source",
        "Phone",
    ],
    "pos": [
        "store_id",
        "store_name",
        "transaction_no",
        "transaction_time",
        "member_no",
        "phone",
        "item_sku",
        "item_name",
        "quantity",
        "unit_price",
        "amount",
        "payment_type",
        "transaction_type",
    ],
    "line_send_log": [
        "request_id",
        "sent_at",
        "line_user_id",
        "campaign_id",
        "message_type",
        "content_tags",
        "short_code",
        "status",
        "error_code",
        "unit_cost",
        "currency",
    ],
    "twilio": [
        "From",
        "To",
        "Body",
        "Status",
        "SentDate",
        "ApiVersion",
        "NumSegments",
        "ErrorCode",
        "AccountSid",
        "Sid",
        "Direction",
        "Price",
        "PriceUnit",
    ],
    "inbox": [
        "contact_id",
        "channel",
        "channel_user_id",
        "name",
        "email",
        "phone",
        "created_at",
        "last_message_at",
        "conversation_status",
        "assignee",
    ],
    "google_ads": [
        "Day",
        "Campaign ID",
        "Campaign",
        "Campaign status",
        "Currency code",
        "Impr.",
        "Clicks",
        "Cost",
        "Conversions",
    ],
    "meta_ads": [
        "Day",
        "Campaign name",
        "Campaign ID",
        "Amount spent (TWD)",
        "Impressions",
        "Reach",
        "Link clicks",
        "Results",
        "Reporting starts",
        "Reporting ends",
    ],
    "consent": [
        "event_id",
        "occurred_at",
        "subject_type",
        "subject_value",
        "channel",
        "status",
        "source",
    ],
    "erasure": ["request_id", "requested_at", "subject_type", "subject_value"],
}


def _money(x: float) -> str:
    return f"{x:.2f}"


def _param(key: str, value: Any) -> str:
    """One GA4 event parameter as JSON text (typed value as in the BigQuery export)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f'{{"key":"{key}","value":{{"string_value":{_jstr(str(value))}}}}}'
    if isinstance(value, int):
        return f'{{"key":"{key}","value":{{"int_value":{value}}}}}'
    return f'{{"key":"{key}","value":{{"double_value":{value!r}}}}}'


class ChunkSim:
    """All the state of one chunk while it is simulated."""

    def __init__(self, ctx: Context, index: int, first: int, n: int) -> None:
        self.ctx = ctx
        self.rng = np.random.default_rng([ctx.seed, 1_000 + index])
        self.chunk_index = index
        self.p: People = build_people(self.rng, first, n, ctx.t0, ctx.t1)
        self.n = n
        self.touch_i: list[np.ndarray] = []
        self.touch_t: list[np.ndarray] = []
        self.touch_c: list[np.ndarray] = []
        self.sessions: list[tuple[int, float, str, dict[str, str], str]] = []
        self.orders_by_session: dict[int, dict[str, Any]] = {}
        self.ga4 = DayFiles(ctx, "web_events", "events_")
        self.line_hook = DayFiles(ctx, "line_events", "webhook_")
        self.meta_hook = DayFiles(ctx, "social_messages", "webhook_")
        self.sendgrid = DayFiles(ctx, "email_events", "sendgrid_events_")
        self.shlink = DayFiles(ctx, "link_clicks", "visits_")
        self.send_log = MonthFiles(
            ctx, "line_events", "send_log_{month}.csv", HEADERS["line_send_log"]
        )
        self.twilio = MonthFiles(
            ctx, "sms_messages", "twilio_messages_{month}.csv", HEADERS["twilio"]
        )
        self.shopify = MonthFiles(
            ctx, "shop_orders", "orders_export_{month}.csv", HEADERS["shopify"]
        )
        self.pos = MonthFiles(ctx, "pos_transactions", "pos_{key}_{month}.csv", HEADERS["pos"])
        self.consent = MonthFiles(ctx, "consent", "consent_{month}.csv", HEADERS["consent"])
        self.erasure = MonthFiles(
            ctx, "erasure_requests", "erasure_requests_{month}.csv", HEADERS["erasure"]
        )
        self.truth_orders: list[list[Any]] = []
        self.junk_users: dict[int, set[str]] = defaultdict(set)
        self.n_orders = np.zeros(n, dtype=np.int64)
        self.revenue = np.zeros(n)
        self.ab_sent: dict[int, float] = {}
        self.chat_log: dict[tuple[int, str], list[float]] = defaultdict(list)
        self.leaks = 0

    # ----------------------------------------------------------------- helpers
    def rand_times(self, m: int) -> np.ndarray:
        day = self.rng.integers(0, self.ctx.days, m)
        hour = self.rng.choice(24, size=m, p=HOUR_P)
        return self.ctx.t0 + day * DAY + hour * HOUR + self.rng.random(m) * HOUR

    def touch(self, idx: np.ndarray, t: np.ndarray, channel: str) -> None:
        if len(idx):
            self.touch_i.append(np.asarray(idx, dtype=np.int64))
            self.touch_t.append(np.asarray(t, dtype=float))
            self.touch_c.append(np.full(len(idx), LIFT[channel], dtype=np.int64))

    def match_mult(self, idx: np.ndarray, tags: tuple[str, ...]) -> np.ndarray:
        """Interest match raises the click probability (1 + 0.8 per matching product/colour)."""
        tagset = {tags[0], tags[2]}
        return np.array(
            [1.0 + 0.8 * len(tagset.intersection(self.p.interests[i])) for i in idx.tolist()]
        )

    # ----------------------------------------------------------------- consent
    def init_consent(self) -> None:
        p, rng, n, ctx = self.p, self.rng, self.n, self.ctx
        has = {
            "email": p.has("email"),
            "sms": p.has("phone"),
            "line": p.has("line_id"),
            "app_push": p.has("app_id") & p.has("member_no"),
        }
        share = {"email": 0.8, "sms": 0.65, "line": 1.0, "app_push": 0.6}
        self.grant_t: dict[str, np.ndarray] = {}
        self.withdraw_t: dict[str, np.ndarray] = {}
        self.consent_src: dict[str, list[str]] = {}
        early = ctx.t0 + rng.random(n) * min(2.0, ctx.days * 0.1) * DAY
        for ch in CONSENT_CHANNELS:
            ok = has[ch] & (rng.random(n) < share[ch])
            g = np.where(ok, early, np.inf)
            if ch == "line":
                g = np.where(ok, np.maximum(early, p.line_follow_t), np.inf)
            self.grant_t[ch] = g
            w_t = g + rng.random(n) * (ctx.t1 - ctx.t0)
            self.withdraw_t[ch] = np.where(
                ok & (rng.random(n) < 0.04) & (w_t < ctx.t1), w_t, np.inf
            )
            srcs = ["crm", "shop_checkout", "store"]
            self.consent_src[ch] = [
                "line_follow" if ch == "line" else srcs[k % 3] for k in rng.integers(0, 3, n)
            ]
        self.withdraw_src = {ch: {} for ch in CONSENT_CHANNELS}
        er = rng.random(n) < 0.002
        if self.chunk_index == 0:  # a few requests even in the smallest sample
            er[rng.choice(n, size=min(2, n), replace=False)] = True
        self.erase_t = np.where(
            er, ctx.t0 + (0.5 + 0.5 * rng.random(n)) * (ctx.t1 - ctx.t0), np.inf
        )
        self.leaky = rng.random(n) < 0.02

    def enrol_in_crm(self) -> None:
        """A brand can only email or text addresses it holds, and members sign up through the
        CRM: everyone with an email or SMS grant in the range, and every member, has a contact
        (with their other identifiers). The id is a function of the person, so no draw shifts."""
        p, ctx = self.p, self.ctx
        held = (self.grant_t["email"] < ctx.t1) | (self.grant_t["sms"] < ctx.t1)
        for i in np.nonzero(held | p.has("member_no"))[0].tolist():
            if not p.crm_id[i]:
                p.crm_id[i] = str(50_000_000_000 + int(p.pid[i]) * 13)

    def consent_ok(self, ch: str, idx: np.ndarray, t: np.ndarray | float) -> np.ndarray:
        g, w = self.grant_t[ch][idx], self.withdraw_t[ch][idx]
        ok = (g <= t) & ((t < w) | self.leaky[idx])
        self.leaks += int(np.sum((g <= t) & (t >= w) & self.leaky[idx]))
        return ok & (t < self.erase_t[idx])

    def withdraw(self, ch: str, i: int, t: float, source: str) -> None:
        if t < self.withdraw_t[ch][i]:
            self.withdraw_t[ch][i] = t
            self.withdraw_src[ch][i] = source

    # ----------------------------------------------------------------- campaigns
    def run_campaigns(self) -> None:
        for c in self.ctx.campaigns:
            t_c = self.ctx.t0 + c.day * DAY + c.hour * HOUR
            if c.channel == "line":
                self.line_campaign(c, t_c)
            elif c.channel == "sms":
                idx = np.nonzero(self.p.has("phone") & (self.rng.random(self.n) < c.audience))[0]
                self.sms_send(c, idx, t_c + self.rng.random(len(idx)) * 900)
            else:
                self.email_campaign(c, t_c)

    def _audience(self, c: Campaign, base: np.ndarray, t_c: float) -> np.ndarray:
        p = self.p
        pick = base & (self.rng.random(self.n) < c.audience)
        if c.is_reactivation:
            lapsed = p.is_dormant & (p.dormant_from < t_c - 14 * DAY)
            pick = base & (lapsed | (self.rng.random(self.n) < 0.03))
        return np.nonzero(pick)[0]

    def _react(self, c: Campaign, idx: np.ndarray, t_c: float, prob: np.ndarray) -> np.ndarray:
        """Dormant recipients of a reactivation campaign respond with probability 0.35."""
        if not c.is_reactivation:
            return prob
        p = self.p
        dormant_now = (p.dormant_from[idx] <= t_c) & (p.dormant_until[idx] > t_c)
        return np.where(dormant_now, 0.35, prob)

    def _reactivate(self, c: Campaign, idx: np.ndarray, t: np.ndarray) -> None:
        if not c.is_reactivation:
            return
        p = self.p
        for i, ti in zip(idx.tolist(), t.tolist(), strict=True):
            if p.dormant_from[i] <= ti < p.dormant_until[i]:
                p.dormant_until[i] = ti
                p.reactivated_at[i] = ti

    def line_campaign(self, c: Campaign, t_c: float) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        base = p.has("line_id") & (p.line_follow_t <= t_c)
        idx = self._audience(c, base, t_c)
        t_send = t_c + rng.random(len(idx)) * 1200
        ok = self.consent_ok("line", idx, t_send)
        idx, t_send = idx[ok], t_send[ok]
        m = len(idx)
        if m == 0:
            return
        failed = rng.random(m) < 0.01
        act = p.active(idx, t_send)
        prob = p.p_line[idx] * self.match_mult(idx, c.content_tags) * act
        arms = [p.ab_arm[i] for i in idx.tolist()] if c.is_ab_test else []
        if c.is_ab_test:
            prob = prob * np.where(np.array(arms) == "B", 1.3, 1.0)
        prob = np.clip(self._react(c, idx, t_c, prob), 0, 0.97)
        click = ~failed & (rng.random(m) < prob)
        delay = np.where(
            rng.random(m) < 0.8, rng.exponential(2.5 * HOUR, m), DAY + rng.exponential(2 * DAY, m)
        )
        t_click = t_send + 30 + delay
        click &= t_click < ctx.t1
        reply = ~failed & act & (rng.random(m) < 0.03)
        t_reply = t_send + rng.exponential(HOUR, m) + 60
        reply &= t_reply < ctx.t1
        self._reactivate(c, idx[click], t_click[click])
        seq0 = ctx.next("code", m)
        codes = [short_code(seq0 + k) for k in range(m)]
        req0 = ctx.next("line_request", m)
        for k in range(m):
            i = int(idx[k])
            mtype = f"variant_{arms[k]}" if c.is_ab_test else c.message_type
            if c.is_ab_test and not failed[k]:
                self.ab_sent[i] = float(t_send[k])
            self.send_log.add(
                t_send[k],
                [
                    hex_token("req", req0 + k)[:8]
                    + "-"
                    + hex_token("req", req0 + k)[8:12]
                    + "-4"
                    + hex_token("req", req0 + k)[13:16]
                    + "-a"
                    + hex_token("req", req0 + k)[17:20]
                    + "-"
                    + hex_token("req", req0 + k)[20:32],
                    iso_local(t_send[k]),
                    p.line_id[i],
                    c.campaign_id,
                    mtype,
                    c.tags_text,
                    codes[k],
                    "failed" if failed[k] else "delivered",
                    "400" if failed[k] else "",
                    "0" if failed[k] else f"{params.LINE_UNIT_COST_TWD:.2f}",
                    "TWD",
                ],
            )
            if not failed[k] and rng.random() < 0.02:  # link preview fetch, not a click
                self.shlink_visit(codes[k], c, "line", t_send[k], t_send[k] + 2, bot=True)
            if click[k]:
                self.shlink_visit(codes[k], c, "line", t_send[k], t_click[k])
                self.message_session(i, t_click[k] + 3, c, "line", "message", codes[k])
            if reply[k]:
                self.line_event(
                    i, t_reply[k], "message", text=LINE_TEXTS[int(rng.integers(len(LINE_TEXTS)))]
                )
        self.touch(idx[click], t_click[click], "line")
        self.touch(idx[reply], t_reply[reply], "line")
        if c.is_fallback:
            opened24 = (click & (delay <= DAY)) | (reply & (t_reply - t_send <= DAY))
            fb = ~opened24 & p.has("phone")[idx]
            self.sms_send(c, idx[fb], t_send[fb] + DAY)

    def sms_send(self, c: Campaign, idx: np.ndarray, t_send: np.ndarray) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        keep = t_send < ctx.t1
        idx, t_send = idx[keep], t_send[keep]
        ok = self.consent_ok("sms", idx, t_send)
        idx, t_send = idx[ok], t_send[ok]
        m = len(idx)
        if m == 0:
            return
        r = rng.random(m)
        status = np.where(r < 0.02, "failed", np.where(r < 0.05, "undelivered", "delivered"))
        delivered = status == "delivered"
        prob = p.p_sms[idx] * self.match_mult(idx, c.content_tags) * p.active(idx, t_send)
        click = delivered & (rng.random(m) < np.clip(prob, 0, 0.95))
        t_click = t_send + 20 + rng.exponential(1.5 * HOUR, m)
        click &= t_click < ctx.t1
        stop = delivered & (rng.random(m) < 0.006)
        t_stop = t_send + rng.exponential(2 * HOUR, m)
        stop &= t_stop < ctx.t1
        variant = rng.random(m)
        seq0 = ctx.next("code", m)
        sid0 = ctx.next("sms", m)
        title = c.content_tags[0].replace("_", " ").title()
        for k in range(m):
            i = int(idx[k])
            code = short_code(seq0 + k)
            body = SMS_TEMPLATE.format(title=title, url=f"{params.SHORT_DOMAIN}/{code}")
            seg = 2
            to = p.phone[i] if variant[k] > 0.08 else phone_variant(p.phone[i], variant[k] * 6)
            st = str(status[k])
            self.twilio.add(
                t_send[k],
                [
                    params.TWILIO_FROM,
                    to,
                    body,
                    st,
                    iso_local(t_send[k]),
                    "2010-04-01",
                    seg,
                    "" if st == "delivered" else ("30003" if st == "undelivered" else "30006"),
                    params.TWILIO_ACCOUNT_SID,
                    "SM" + hex_token("sms", sid0 + k),
                    "outbound-api",
                    f"{params.SMS_PRICE_USD_PER_SEGMENT * seg:.4f}" if st != "failed" else "",
                    "USD",
                ],
            )
            if click[k]:
                self.shlink_visit(code, c, "sms", t_send[k], t_click[k])
                self.message_session(i, t_click[k] + 3, c, "sms", "sms", code)
            if stop[k]:
                self.twilio.add(
                    t_stop[k],
                    [
                        p.phone[i],
                        params.TWILIO_FROM,
                        "STOP",
                        "received",
                        iso_local(t_stop[k]),
                        "2010-04-01",
                        1,
                        "",
                        params.TWILIO_ACCOUNT_SID,
                        "SM" + hex_token("sms_in", sid0 + k),
                        "inbound",
                        "",
                        "USD",
                    ],
                )
                self.withdraw("sms", i, float(t_stop[k]), "crm")
        self.touch(idx[click], t_click[click], "sms")

    def email_campaign(self, c: Campaign, t_c: float) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        idx = self._audience(c, p.has("email"), t_c)
        t_send = t_c + rng.random(len(idx)) * 1800
        ok = self.consent_ok("email", idx, t_send)
        idx, t_send = idx[ok], t_send[ok]
        m = len(idx)
        if m == 0:
            return
        r = rng.random(m)
        dropped, bounced = r < 0.005, (r >= 0.005) & (r < 0.025)
        delivered = ~dropped & ~bounced
        act = p.active(idx, t_send)
        p_open = np.clip(self._react(c, idx, t_c, p.p_email_open[idx] * act), 0, 0.95)
        opened = delivered & (rng.random(m) < p_open)
        t_open = t_send + 60 + rng.exponential(5 * HOUR, m)
        opened &= t_open < ctx.t1
        p_click = np.clip(p.p_email_click[idx] * self.match_mult(idx, c.content_tags), 0, 0.9)
        clicked = opened & (rng.random(m) < p_click)
        t_click = t_open + 5 + rng.exponential(300, m)
        clicked &= t_click < ctx.t1
        unsub = delivered & (rng.random(m) < 0.004)
        t_unsub = t_send + 120 + rng.exponential(6 * HOUR, m)
        unsub &= t_unsub < ctx.t1
        self._reactivate(c, idx[opened], t_open[opened])
        seq0 = ctx.next("code", m)
        msg0 = ctx.next("sg_msg", m)
        rr = rng.random((m, 4))
        for k in range(m):
            i = int(idx[k])
            email = mess_email(p.email[i], rr[k, 0] * 4)
            msg_id = b64_token("sgmsg", msg0 + k)
            base = {
                "email": email,
                "smtp-id": f"<{msg_id}@omni.tw>",
                "sg_message_id": f"{msg_id}.filterdrecv-5c7d8-1-{msg0 + k}",
                "category": ["campaign", c.campaign_id] if rr[k, 1] < 0.5 else "campaign",
                "campaign_id": c.campaign_id,
                "content_tags": c.tags_text,
            }
            self.sg_event(base, t_send[k], "processed")
            if dropped[k]:
                self.sg_event(base, t_send[k] + 1, "dropped", reason="Bounced Address")
                continue
            if bounced[k]:
                self.sg_event(
                    base,
                    t_send[k] + 5,
                    "bounce",
                    reason="550 5.1.1 User unknown",
                    status="5.1.1",
                    type="bounce",
                )
                continue
            self.sg_event(base, t_send[k] + 3 + rr[k, 2] * 30, "delivered", response="250 OK")
            if opened[k]:
                self.sg_event(base, t_open[k], "open", useragent=UA_MOBILE, ip="203.69.1.10")
                if rr[k, 3] < 0.1:
                    self.sg_event(
                        base, t_open[k] + 3600, "open", useragent=UA_MOBILE, ip="203.69.1.10"
                    )
            if clicked[k]:
                code = short_code(seq0 + k)
                url = f"{params.SHORT_DOMAIN}/{code}"
                self.sg_event(
                    base, t_click[k], "click", url=url, useragent=UA_MOBILE, ip="203.69.1.10"
                )
                self.shlink_visit(code, c, "email", t_send[k], t_click[k] + 1)
                self.message_session(i, t_click[k] + 4, c, "email", "email", code)
            if unsub[k]:
                self.sg_event(base, t_unsub[k], "unsubscribe")
                self.withdraw("email", i, float(t_unsub[k]), "unsubscribe_link")
        self.touch(idx[opened], t_open[opened], "email")

    def sg_event(self, base: dict[str, Any], t: float, event: str, **extra: Any) -> None:
        ev = dict(base)
        ev["timestamp"] = int(t)
        ev["event"] = event
        ev["sg_event_id"] = b64_token("sgev", self.ctx.next("sg_event"))
        ev.update(extra)
        line = dumps(ev)
        r = self.rng.random()
        self.sendgrid.add(t, line, late=r < 0.01)
        if r > 0.995:  # duplicate delivery of the same event
            self.sendgrid.add(t, line, late=r > 0.998)

    def shlink_visit(
        self, code: str, c: Campaign, channel: str, t_created: float, t: float, bot: bool = False
    ) -> None:
        long_url = (
            f"{params.SHOP_DOMAIN}/collections/{c.content_tags[0].replace('_', '-')}"
            f"?utm_source={channel}&utm_medium={'message' if channel == 'line' else channel}"
            f"&utm_campaign={c.campaign_id}&utm_content={c.tags_text.replace('|', '%7C')}"
            f"&sl={code}"  # per-recipient link: the landing page tells which message was clicked
        )
        rec = {
            "shortUrl": {
                "shortCode": code,
                "shortUrl": f"{params.SHORT_DOMAIN}/{code}",
                "longUrl": long_url,
                "dateCreated": iso_local(t_created),
                "tags": ["recipient", f"campaign:{c.campaign_id}", f"channel:{channel}"],
                "title": None,
            },
            "visit": {
                "referer": "",
                "date": iso_local(t),
                "userAgent": UA_BOT if bot else (UA_LINE if channel == "line" else UA_ANDROID),
                "visitLocation": None
                if bot
                else {"countryCode": "TW", "cityName": "Taipei", "timezone": "Asia/Taipei"},
                "potentialBot": bot,
                "visitedUrl": f"{params.SHORT_DOMAIN}/{code}",
            },
        }
        self.shlink.add(t, dumps(rec))

    def qr_visit(self, store_id: str, t: float) -> None:
        code = f"qr{store_id.lower()}"
        rec = {
            "shortUrl": {
                "shortCode": code,
                "shortUrl": f"{params.SHORT_DOMAIN}/{code}",
                "longUrl": f"{params.SHOP_DOMAIN}/pages/stores?utm_source=qr&utm_medium=store"
                f"&utm_campaign={store_id}",
                "dateCreated": iso_local(self.ctx.t0 - 90 * DAY),
                "tags": ["qr", f"store:{store_id}"],
                "title": f"Store QR {store_id}",
            },
            "visit": {
                "referer": "",
                "date": iso_local(t),
                "userAgent": UA_ANDROID,
                "visitLocation": {
                    "countryCode": "TW",
                    "cityName": "Taipei",
                    "timezone": "Asia/Taipei",
                },
                "potentialBot": False,
                "visitedUrl": f"{params.SHORT_DOMAIN}/{code}",
            },
        }
        self.shlink.add(t, dumps(rec))

    # ----------------------------------------------------------------- LINE / Meta webhooks
    def line_event(self, i: int, t: float, etype: str, text: str = "", data: str = "") -> None:
        seq = self.ctx.next("line_event")
        ev: dict[str, Any] = {
            "type": etype,
            "mode": "active",
            "timestamp": int(t * 1000),
            "source": {"type": "user", "userId": self.p.line_id[i]},
            "webhookEventId": ulid(seq),
            "deliveryContext": {"isRedelivery": False},
        }
        if etype in ("message", "postback", "follow"):
            ev["replyToken"] = hex_token("reply", seq)
        if etype == "message":
            ev["message"] = {
                "id": str(500_000_000_000_000 + seq),
                "type": "text",
                "text": text,
                "quoteToken": b64_token("quote", seq, 32),
            }
        if etype == "postback":
            ev["postback"] = {"data": data}
        if etype == "follow":
            ev["follow"] = {"isUnblocked": False}
        self.line_hook.add(t, dumps({"destination": params.LINE_BOT_ID, "events": [ev]}))
        r = self.rng.random()
        if r < 0.01:  # redelivery: same webhookEventId, flagged
            ev = dict(ev, deliveryContext={"isRedelivery": True})
            self.line_hook.add(
                t + 60, dumps({"destination": params.LINE_BOT_ID, "events": [ev]}), late=r < 0.003
            )

    def meta_item(self, obj: str, user: str, t: float, kind: str, text: str = "") -> None:
        page = params.FB_PAGE_ID if obj == "page" else params.IG_ACCOUNT_ID
        seq = self.ctx.next("meta_mid")
        mid = "m_" + b64_token("mid", seq, 40)
        item: dict[str, Any] = {"timestamp": int(t * 1000)}
        if kind == "echo":
            item.update(
                sender={"id": page},
                recipient={"id": user},
                message={"mid": mid, "text": text, "is_echo": True},
            )
        elif kind == "read":
            item.update(sender={"id": user}, recipient={"id": page}, read={"mid": mid})
        else:
            item.update(
                sender={"id": user}, recipient={"id": page}, message={"mid": mid, "text": text}
            )
        body = {
            "object": obj,
            "entry": [{"id": page, "time": int(t * 1000) + 150, "messaging": [item]}],
        }
        self.meta_hook.add(t, dumps(body))

    def line_lifecycle(self) -> None:
        p, ctx = self.p, self.ctx
        for i in np.nonzero(p.has("line_id"))[0].tolist():
            if ctx.t0 <= p.line_follow_t[i] < ctx.t1:
                self.line_event(i, float(p.line_follow_t[i]), "follow")
            if self.withdraw_t["line"][i] < ctx.t1:
                self.line_event(i, float(self.withdraw_t["line"][i]), "unfollow")
                self.withdraw_src["line"][i] = "line_follow"

    def chats(self) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        months = ctx.days / 30
        specs = [
            ("line", p.has("line_id"), 0.15),
            ("messenger", p.has("psid"), 0.5),
            ("instagram", p.has("igsid"), 0.5),
        ]
        for channel, has, rate in specs:
            cnt = rng.poisson(rate * months * has)
            idx = np.repeat(np.arange(self.n), cnt)
            t = self.rand_times(len(idx))
            keep = p.active(idx, t)
            if channel == "line":
                keep &= p.line_follow_t[idx] <= t
            idx, t = idx[keep], t[keep]
            self.touch(idx, t, channel)
            for i, tt in zip(idx.tolist(), t.tolist(), strict=True):
                self.chat_log[(i, channel)].append(tt)
                n_msg = int(rng.integers(1, 4))
                for j in range(n_msg):
                    tj = tt + j * 45
                    if channel == "line":
                        self.line_event(
                            i, tj, "message", text=LINE_TEXTS[int(rng.integers(len(LINE_TEXTS)))]
                        )
                    else:
                        obj = "page" if channel == "messenger" else "instagram"
                        user = p.psid[i] if channel == "messenger" else p.igsid[i]
                        txt = META_TEXTS[int(rng.integers(len(META_TEXTS)))]
                        self.meta_item(obj, user, tj, "message", txt)
                if channel != "line":
                    obj = "page" if channel == "messenger" else "instagram"
                    user = p.psid[i] if channel == "messenger" else p.igsid[i]
                    t_reply = tt + 60 * n_msg + float(rng.exponential(900))
                    if t_reply < ctx.t1:
                        rep = REPLY_TEXTS[int(rng.integers(len(REPLY_TEXTS)))]
                        self.meta_item(obj, user, t_reply, "echo", rep)
                        if t_reply + 30 < ctx.t1:
                            self.meta_item(obj, user, t_reply + 30, "read")

    # ----------------------------------------------------------------- web and app
    def message_session(
        self, i: int, t: float, c: Campaign, source: str, medium: str, code: str
    ) -> None:
        """The web or app session that follows a click on the per-recipient short link ``code``:
        it lands on the link's long URL, so its page_location carries ``sl=<code>``."""
        if t >= self.ctx.t1 or self.rng.random() > 0.85:
            return
        utm = {
            "source": source,
            "medium": medium if source != "line" else "message",
            "campaign": c.campaign_id,
            "content_tag": c.tags_text,
            "path": f"/collections/{c.content_tags[0].replace('_', '-')}",
            "short_code": code,
        }
        if self.p.cookies[i]:
            self.sessions.append((i, t, "message", utm, "WEB"))
        elif self.p.app_id[i]:
            self.sessions.append((i, t, "message", utm, self.p.app_platform[i]))

    def web_sessions(self) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        months = ctx.days / 30
        kinds = [
            ("organic_search", p.web_rate * 0.35),
            ("direct", p.web_rate * 0.40),
            ("referral", p.web_rate * 0.25),
            ("paid_search", p.ads_search),
            ("paid_social", p.ads_social),
        ]
        for kind, rate in kinds:
            cnt = rng.poisson(rate * months)
            idx = np.repeat(np.arange(self.n), cnt)
            t = self.rand_times(len(idx))
            keep = p.active(idx, t)
            idx, t = idx[keep], t[keep]
            self.touch(idx, t, kind)
            camps = params.GOOGLE_CAMPAIGNS if kind == "paid_search" else params.META_CAMPAIGNS
            pick = rng.integers(0, len(camps), len(idx))
            for i, tt, k in zip(idx.tolist(), t.tolist(), pick.tolist(), strict=True):
                info: dict[str, str] = {}
                if kind in ("paid_search", "paid_social"):
                    cid = camps[k][0]
                    info = {"campaign_id": cid, "campaign_name": camps[k][1]}
                    self.ctx.ad_clicks[(cid, ctx.day_of(tt))] += 1
                self.sessions.append((i, tt, kind, info, "WEB"))
        cnt = rng.poisson(p.app_rate * months)
        idx = np.repeat(np.arange(self.n), cnt)
        t = self.rand_times(len(idx))
        keep = p.active(idx, t)
        for i, tt in zip(idx[keep].tolist(), t[keep].tolist(), strict=True):
            self.sessions.append((i, tt, "app", {}, p.app_platform[i]))

    # ----------------------------------------------------------------- conversions
    def person_week_logits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The conversion model: (touches per person x week x lift channel, capped at
        params.TOUCH_CAP; conversion logit per person x week; time of each person-week's last
        touch, -inf where none). conversions() draws from it and the truth's removal effects
        (truth.accumulate_removal_effects) take it apart, so both read the same numbers."""
        ctx, p = self.ctx, self.p
        weeks = (ctx.days + 6) // 7
        n_c = len(params.LIFT_CHANNELS)
        if self.touch_i:
            ti = np.concatenate(self.touch_i)
            tt = np.concatenate(self.touch_t)
            tc = np.concatenate(self.touch_c)
        else:
            ti = np.zeros(0, np.int64)
            tt = np.zeros(0)
            tc = np.zeros(0, np.int64)
        tw = np.clip(((tt - ctx.t0) // (7 * DAY)).astype(np.int64), 0, weeks - 1)
        counts = np.zeros((self.n, weeks, n_c))
        np.add.at(counts, (ti, tw, tc), 1)
        last_t = np.full((self.n, weeks), -np.inf)
        np.maximum.at(last_t, (ti, tw), tt)
        capped = np.minimum(counts, params.TOUCH_CAP)
        logit = params.BASE_LOGIT + p.propensity[:, None] + capped @ BETAS
        for i, t_ab in self.ab_sent.items():
            w = int((t_ab - ctx.t0) // (7 * DAY))
            lift = params.AB_ARM_LIFT[p.ab_arm[i]]
            logit[i, w] += lift
            if w + 1 < weeks:
                logit[i, w + 1] += lift
        return capped, logit, last_t

    def conversions(self) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        weeks = (ctx.days + 6) // 7
        tc = np.concatenate(self.touch_c) if self.touch_c else np.zeros(0, np.int64)
        for c in range(len(params.LIFT_CHANNELS)):
            st = ctx.touch_stats.setdefault(params.LIFT_CHANNELS[c], {"touches": 0})
            st["touches"] += int(np.sum(tc == c))
        _, logit, last_t = self.person_week_logits()
        prob = 1 / (1 + np.exp(-logit))
        conv = rng.random((self.n, weeks)) < prob
        ci, cw = np.nonzero(conv)
        has_touch = np.isfinite(last_t[ci, cw])
        t_conv = np.where(
            has_touch,
            last_t[ci, cw] + 600 + rng.exponential(8 * HOUR, len(ci)),
            ctx.t0 + cw * 7 * DAY + rng.random(len(ci)) * 7 * DAY,
        )
        ok = (t_conv < ctx.t1) & p.active(ci, t_conv) & (t_conv < self.erase_t[ci])
        ci, t_conv = ci[ok], t_conv[ok]
        store = (rng.random(len(ci)) < p.store_share[ci]) | np.array(
            [not (p.cookies[i] or p.app_id[i]) for i in ci.tolist()], dtype=bool
        )
        order = np.argsort(t_conv, kind="stable")
        for k in order.tolist():
            i, t = int(ci[k]), float(t_conv[k])
            if store[k]:
                self.pos_order(i, t)
            else:
                self.shop_order(i, t)
        for i, t_ab in self.ab_sent.items():
            st = ctx.ab_stats[p.ab_arm[i]]
            st["recipients"] += 1
            st["converted_7d"] += int(
                any(t_ab <= t < t_ab + 7 * DAY for t in self._conv_t.get(i, []))
            )

    _conv_t: dict[int, list[float]]

    def _items(self, i: int) -> list[tuple[tuple[str, str, str, str, int], int]]:
        rng = self.rng
        n_items = int(rng.choice([1, 1, 1, 2, 2, 3]))
        items = []
        for _ in range(n_items):
            if rng.random() < 0.6:
                liked = [t for t in self.p.interests[i] if t in params.PRODUCT_TAGS]
                tag = liked[int(rng.integers(len(liked)))]
                cands = [pr for pr in params.PRODUCTS if pr[1] == tag]
            else:
                cands = params.PRODUCTS
            prod = cands[int(rng.integers(len(cands)))]
            items.append((prod, int(rng.choice([1, 1, 1, 2]))))
        return items

    def _record_order(
        self, source: str, oid: str, i: int, t: float, total: float, refunded: float, extra: str
    ) -> None:
        self.truth_orders.append(
            [
                source,
                oid,
                self.p.person_id[i],
                iso_utc(t),
                _money(total),
                _money(refunded),
                _money(total - refunded),
                extra,
            ]
        )
        self.n_orders[i] += 1
        self.revenue[i] += total - refunded
        self._conv_t.setdefault(i, []).append(t)

    def shop_order(self, i: int, t: float) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        seq = ctx.next("shop_order")
        name = f"#{1001 + seq}"
        oid = str(6_100_000_000_000 + seq * 37)
        items = self._items(i)
        subtotal = float(sum(pr[4] * q for pr, q in items))
        disc_code, disc = ("SUMMER10", round(subtotal * 0.1)) if rng.random() < 0.15 else ("", 0)
        shipping = 0.0 if subtotal >= 1500 else 80.0
        total = subtotal - disc + shipping
        r = rng.random()
        fin = (
            "paid"
            if r < 0.88
            else "refunded"
            if r < 0.92
            else "partially_refunded"
            if r < 0.95
            else "pending"
            if r < 0.97
            else "authorized"
            if r < 0.99
            else "voided"
        )
        refunded = (
            total
            if fin == "refunded"
            else round(total * 0.4)
            if (fin == "partially_refunded")
            else 0.0
        )
        counted = 0.0 if fin == "voided" else total
        rr = rng.random(6)
        if rr[0] < 0.01:
            email = params.JUNK_EMAIL
            self.junk_users[i].add("email")
        else:
            email = mess_email(p.email[i], rr[1])
        bill = phone_variant(p.phone[i], rr[2])
        ship = bill if rr[3] < 0.7 else phone_variant(p.phone[i], rr[4])
        is_app = bool(p.app_id[i]) and (not p.cookies[i] or rr[5] < 0.4)
        created = local_stamp(t, suffix=" +0800")
        paid_at = created if fin in ("paid", "refunded", "partially_refunded") else ""
        for k, (prod, q) in enumerate(items):
            first = k == 0
            row = [
                name,
                email if first else "",
                fin if first else "",
                paid_at if first else "",
                ("fulfilled" if t < ctx.t1 - 3 * DAY else "unfulfilled") if first else "",
                ("yes" if self.grant_t["email"][i] <= t else "no") if first else "",
                "TWD" if first else "",
                _money(subtotal) if first else "",
                _money(shipping) if first else "",
                "0.00" if first else "",
                _money(total) if first else "",
                disc_code if first else "",
                _money(disc) if first else "",
                created if first else "",
                q,
                prod[2],
                _money(prod[4]),
                prod[0],
                f"{p.first_name[i]} {p.last_name[i]}" if first else "",
                bill if first else "",
                ship if first else "",
                "",
                local_stamp(t + 3600, suffix=" +0800") if first and fin == "voided" else "",
                ("Credit Card" if rr[5] < 0.7 else "LINE Pay") if first else "",
                _money(refunded) if first else "",
                oid,
                "member" if first and p.member_no[i] else "",
                ("shopify_app" if is_app else "web") if first else "",
                (phone_variant(p.phone[i], rr[4]) if rr[3] < 0.5 else "") if first else "",
            ]
            self.shopify.add(t, row)
        self._record_order("shopify", oid, i, t, counted, refunded, "")
        if rng.random() < 0.92:  # most orders have their GA4 purchase (ad blockers eat some)
            platform = p.app_platform[i] if is_app else "WEB"
            if platform == "WEB" and not p.cookies[i]:
                return
            self.sessions.append(
                (
                    i,
                    t - 240 - rng.random() * 600,
                    "purchase",
                    {"transaction_id": oid, "revenue": f"{total:.2f}", "sku": items[0][0][0]},
                    platform,
                )
            )

    def pos_order(self, i: int, t: float) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        # store hours: move to the same local day, 11:00-21:00
        local = t + params.TPE_OFFSET
        day0 = local - (local % DAY) - params.TPE_OFFSET
        t = day0 + 11 * HOUR + rng.random() * 10 * HOUR
        if t >= ctx.t1:
            return
        store_id = (
            p.store_id[i]
            if rng.random() < 0.85
            else params.STORES[int(rng.integers(len(params.STORES)))][0]
        )
        store_name = next(s[1] for s in params.STORES if s[0] == store_id)
        seq = ctx.next("pos_txn")
        txn = f"{store_id}{ts(t, params.TPE_OFFSET).strftime('%Y%m%d')}{seq:07d}"
        rr = rng.random(4)
        member = p.member_no[i] if (p.member_no[i] and rr[0] < 0.85) else ""
        if member:
            phone = phone_variant(p.phone[i], rr[2]) if rr[1] < 0.5 else ""
        elif rr[1] < 0.3:
            phone = params.STORE_DEFAULT_PHONE
            self.junk_users[i].add("phone")
        elif rr[1] < 0.7:
            phone = phone_variant(p.phone[i], rr[2])
        else:
            phone = ""
        pay = ["cash", "card", "line_pay", "easycard"][int(rng.integers(4))]
        items = self._items(i)
        local_s = local_stamp(t, "/")
        total = 0.0
        for prod, q in items:
            amount = prod[4] * q
            total += amount
            self.pos.add(
                t,
                [
                    store_id,
                    store_name,
                    txn,
                    local_s,
                    member,
                    phone,
                    prod[0],
                    prod[3],
                    q,
                    prod[4],
                    amount,
                    pay,
                    "SALE",
                ],
                key=store_id,
            )
        refunded = 0.0
        t_ret = t + (1 + rng.random() * 9) * DAY
        if rr[3] < 0.04 and t_ret < ctx.t1:
            prod, q = items[0]
            refunded = float(prod[4] * q)
            self.pos.add(
                t_ret,
                [
                    store_id,
                    store_name,
                    txn,
                    local_stamp(t_ret, "/"),
                    member,
                    phone,
                    prod[0],
                    prod[3],
                    -q,
                    prod[4],
                    -prod[4] * q,
                    pay,
                    "RETURN",
                ],
                key=store_id,
            )
        self._record_order("pos", txn, i, t, total, refunded, store_id)
        if rng.random() < 0.05:
            self.qr_visit(store_id, t + 120)

    # ----------------------------------------------------------------- GA4 rows
    def write_sessions(self) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        self.sessions.sort(key=lambda s: s[1])
        sess_no: dict[str, int] = defaultdict(int)
        n_s = len(self.sessions)
        u_all = rng.random((n_s, 8)).tolist()
        views_all = rng.poisson(1.5, n_s).tolist()
        prod_all = rng.integers(0, len(params.PRODUCTS), (n_s, 8)).tolist()
        eng_all = rng.integers(2_000, 300_000, n_s).tolist()
        gaps_all = (5 + rng.exponential(40, (n_s, 20))).tolist()
        for s_k, (i, t0, kind, info, platform) in enumerate(self.sessions):
            u = u_all[s_k]
            if t0 < ctx.t0 or t0 >= ctx.t1:
                continue
            is_app = platform != "WEB"
            if is_app:
                uid_pseudo = p.app_id[i]
            else:
                cks = p.cookies[i]
                uid_pseudo = cks[int(u[0] * len(cks))]
            sess_no[uid_pseudo] += 1
            number = sess_no[uid_pseudo]
            sid = int(t0)
            logged_in = bool(p.member_no[i]) and u[1] < (0.9 if is_app else 0.5)
            common: dict[str, Any] = {
                "user_id": p.member_no[i] if logged_in else None,
                "user_pseudo_id": uid_pseudo,
                "platform": platform,
                "stream_id": STREAM_WEB
                if not is_app
                else (STREAM_ANDROID if platform == "ANDROID" else STREAM_IOS),
                "device": {
                    "category": "mobile" if is_app or i % 3 else "desktop",
                    "operating_system": ("Android" if platform == "ANDROID" else "iOS")
                    if is_app
                    else ["Windows", "Android", "iOS", "Macintosh"][i % 4],
                    "web_info": None
                    if is_app
                    else {"browser": ["Chrome", "Chrome", "Safari", "Edge"][i % 4]},
                },
                "geo": {"country": "Taiwan", "city": params.CITIES[i % len(params.CITIES)]},
            }
            query, referrer, cts = "", "", {}
            path = info.get("path", "/")
            if kind == "message":
                query = (
                    f"?utm_source={info['source']}&utm_medium={info['medium']}"
                    f"&utm_campaign={info['campaign']}&sl={info['short_code']}"
                )
                cts = {
                    "manual_campaign_id": info["campaign"],
                    "manual_campaign_name": info["campaign"],
                    "manual_source": info["source"],
                    "manual_medium": info["medium"],
                }
            elif kind == "paid_search":
                gclid = "Cj0KCQjw" + b64_token("gclid", ctx.next("gclid"), 40)
                query = (
                    f"?gclid={gclid}&utm_source=google&utm_medium=cpc"
                    f"&utm_campaign={info['campaign_id']}"
                )
                cts = {
                    "manual_campaign_id": info["campaign_id"],
                    "manual_campaign_name": info["campaign_name"],
                    "manual_source": "google",
                    "manual_medium": "cpc",
                    "gclid": gclid,
                }
                path = "/collections/new"
            elif kind == "paid_social":
                fbclid = "IwAR" + b64_token("fbclid", ctx.next("fbclid"), 40)
                src = "instagram" if "IG" in info["campaign_name"] else "facebook"
                query = (
                    f"?utm_source={src}&utm_medium=paid_social"
                    f"&utm_campaign={info['campaign_id']}&fbclid={fbclid}"
                )
                cts = {
                    "manual_campaign_id": info["campaign_id"],
                    "manual_campaign_name": info["campaign_name"],
                    "manual_source": src,
                    "manual_medium": "paid_social",
                }
                path = "/collections/summer"
            elif kind == "organic_search":
                referrer = "https://www.google.com/"
            elif kind == "referral":
                referrer = [
                    "https://www.dcard.tw/f/dressup",
                    "https://www.ptt.cc/bbs/WomenShopping/index.html",
                ][i % 2]
            common["collected_traffic_source"] = cts or None
            events: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
            landing = f"{params.SHOP_DOMAIN}{path}{query}"
            base_params: dict[str, Any] = {"ga_session_id": sid, "ga_session_number": number}
            if kind in ("message", "paid_search", "paid_social"):
                base_params.update(
                    source=cts["manual_source"],
                    medium=cts["manual_medium"],
                    campaign=cts["manual_campaign_id"],
                )
            if is_app:
                events.append(("app_open" if kind != "message" else "notification_open", {}, None))
            if number == 1 and u[2] < 0.7:
                events.append(("first_visit", {"page_location": landing}, None))
            events.append(
                ("session_start", {"page_location": landing, "page_referrer": referrer}, None)
            )
            view = "screen_view" if is_app else "page_view"
            events.append(
                (
                    view,
                    {
                        "page_location": landing,
                        "page_referrer": referrer,
                        "page_title": "OMNI Shop",
                    },
                    None,
                )
            )
            if logged_in and u[3] < 0.3:
                events.append(("login", {"method": "member"}, None))
            for v in range(min(views_all[s_k], 8)):
                events.append(
                    (
                        view,
                        {
                            "page_location": f"{params.SHOP_DOMAIN}/products/"
                            f"{params.PRODUCTS[prod_all[s_k][v]][0].lower()}",
                            "page_title": "Product",
                        },
                        None,
                    )
                )
            if kind == "purchase":
                sku = info["sku"]
                tag = next(pr[1] for pr in params.PRODUCTS if pr[0] == sku)
                events += [
                    ("view_item", {"content_tag": tag}, None),
                    ("add_to_cart", {"content_tag": tag}, None),
                    ("begin_checkout", {}, None),
                    (
                        "purchase",
                        {
                            "transaction_id": info["transaction_id"],
                            "value": float(info["revenue"]),
                            "currency": "TWD",
                        },
                        {
                            "transaction_id": info["transaction_id"],
                            "purchase_revenue": float(info["revenue"]),
                        },
                    ),
                ]
            else:
                if u[4] < 0.5:
                    tag = info.get("content_tag", "").split("|")[0] or p.interests[i][int(u[6] * 2)]
                    events.append(("view_item", {"content_tag": tag}, None))
                    if u[5] < 0.3:
                        events.append(("add_to_cart", {"content_tag": tag}, None))
            events.append(
                (
                    "user_engagement",
                    {"engagement_time_msec": eng_all[s_k]},
                    None,
                )
            )
            t_ev = t0
            common_json = dumps(common)[1:-1]
            base_json = ",".join(_param(k, v) for k, v in base_params.items())
            for (name, prm, ecommerce), gap in zip(events, gaps_all[s_k], strict=False):
                ep = ",".join([base_json, *(_param(k, v) for k, v in prm.items())])
                ecom = "null" if ecommerce is None else dumps(ecommerce)
                line = (
                    f'{{"event_date":"{local_date(t_ev)}","event_timestamp":'
                    f'{int(t_ev * 1_000_000)},"event_name":"{name}","event_params":[{ep}],'
                    f'{common_json},"ecommerce":{ecom}}}'
                )
                self.ga4.add(t_ev, line)
                t_ev += gap

    def bots(self) -> None:
        """A few crawler cookies with hundreds of page views (chunk 0 only)."""
        rng, ctx = self.rng, self.ctx
        for b in range(3):
            cookie = f"{1_900_000_000 + b}.{int(ctx.t0) - 86400 * (b + 1)}"
            ctx.bot_cookies.append(cookie)
            t = ctx.t0 + (b * 3 % max(ctx.days, 1)) * DAY + 3 * HOUR
            for k in range(300):
                row = {
                    "event_date": local_date(t),
                    "event_timestamp": int(t * 1_000_000),
                    "event_name": "page_view",
                    "event_params": [
                        {"key": "ga_session_id", "value": {"int_value": int(ctx.t0) + b}},
                        {
                            "key": "page_location",
                            "value": {"string_value": f"{params.SHOP_DOMAIN}/products/p{k}"},
                        },
                    ],
                    "user_id": None,
                    "user_pseudo_id": cookie,
                    "platform": "WEB",
                    "stream_id": STREAM_WEB,
                    "device": {
                        "category": "desktop",
                        "operating_system": "Linux",
                        "web_info": {"browser": "HeadlessChrome"},
                    },
                    "geo": {"country": "United States", "city": "Ashburn"},
                    "collected_traffic_source": None,
                    "ecommerce": None,
                }
                self.ga4.add(t, dumps(row))
                t += float(rng.uniform(0.5, 3.0))

    # ----------------------------------------------------------------- CRM, inbox, consent
    def crm_and_inbox(self) -> list[list[Any]]:
        p, rng, ctx = self.p, self.rng, self.ctx
        rows = []
        end = ctx.t1 - 60
        for i in range(self.n):
            if not p.crm_id[i] or p.created_t[i] >= ctx.t1:
                continue
            rr = rng.random(6)
            opt = []
            for ch in ("email", "sms", "line"):
                if self.withdraw_t[ch][i] < ctx.t1 or self.erase_t[i] < ctx.t1:
                    opt.append("false")
                elif self.grant_t[ch][i] < ctx.t1:
                    opt.append("true")
                else:
                    opt.append("")
            stage = (
                "customer"
                if self.n_orders[i]
                else ["subscriber", "lead", "marketingqualifiedlead"][int(rr[0] * 3)]
            )
            phone = phone_variant(p.phone[i], rr[1])
            rows.append(
                [
                    p.crm_id[i],
                    p.first_name[i],
                    p.last_name[i],
                    mess_email(p.email[i], rr[2]),
                    phone,
                    phone_variant(p.phone[i], rr[3]) if rr[4] < 0.4 else "",
                    stage,
                    ts(p.created_t[i]).strftime("%Y-%m-%d %H:%M"),
                    ts(end - rr[5] * 20 * DAY).strftime("%Y-%m-%d %H:%M"),
                    p.member_no[i],
                    p.line_id[i] if rr[4] < 0.7 else "",
                    *opt,
                ]
            )
            if rr[0] < 0.01 and p.email[i]:  # duplicate record from an old import
                rows.append(
                    [
                        str(int(p.crm_id[i]) + 7),
                        p.first_name[i],
                        "",
                        p.email[i].upper(),
                        "",
                        "",
                        "subscriber",
                        ts(p.created_t[i] - 30 * DAY).strftime("%Y-%m-%d %H:%M"),
                        ts(p.created_t[i] - 30 * DAY).strftime("%Y-%m-%d %H:%M"),
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
                self.crm_dupes.add(i)
        ctx.sink.csv(
            f"crm_contacts/hubspot-crm-exports-all-contacts-{ctx.end_label}.csv",
            HEADERS["hubspot"],
            rows,
        )
        inbox = []
        for (i, channel), times in sorted(self.chat_log.items()):
            rr = rng.random(4)
            user = {"line": p.line_id[i], "messenger": p.psid[i], "instagram": p.igsid[i]}[channel]
            status = "open" if (times[-1] > ctx.t1 - 3 * DAY or rr[0] < 0.08) else "closed"
            inbox.append(
                [
                    f"CT{ctx.next('contact') + 100001}",
                    channel,
                    user,
                    f"{p.first_name[i]} {p.last_name[i]}" if rr[1] < 0.6 else p.first_name[i],
                    mess_email(p.email[i], rr[2]) if rr[2] < 0.4 else "",
                    phone_variant(p.phone[i], rr[3]) if rr[3] < 0.3 else "",
                    iso_utc(min(times)),
                    iso_utc(max(times)),
                    status,
                    params.AGENTS[i % len(params.AGENTS)]
                    if status == "closed" or rr[0] < 0.5
                    else "",
                ]
            )
        ctx.sink.csv(f"social_messages/inbox_contacts_{ctx.end_label}.csv", HEADERS["inbox"], inbox)
        return rows

    def consent_rows(self) -> None:
        p, rng, ctx = self.p, self.rng, self.ctx
        events: list[tuple[float, int, list[Any]]] = []
        for ch in CONSENT_CHANNELS:
            g, w = self.grant_t[ch], self.withdraw_t[ch]
            for i in np.nonzero(np.isfinite(g) & (g < ctx.t1))[0].tolist():
                r = float(rng.random())
                if ch == "email":
                    st, val = "email", mess_email(p.email[i], r)
                elif ch == "sms":
                    st, val = "phone", phone_variant(p.phone[i], r)
                elif ch == "line":
                    st, val = "line_user_id", p.line_id[i]
                else:
                    st, val = "member_number", p.member_no[i]
                events.append(
                    (
                        float(g[i]),
                        i,
                        [iso_utc(g[i]), st, val, ch, "granted", self.consent_src[ch][i]],
                    )
                )
                if w[i] < ctx.t1:
                    src = self.withdraw_src[ch].get(i) or ("line_follow" if ch == "line" else "crm")
                    events.append((float(w[i]), i, [iso_utc(w[i]), st, val, ch, "withdrawn", src]))
        events.sort(key=lambda e: (e[0], e[1]))
        for t, _i, row in events:
            self.consent.add(t, [f"CE{ctx.next('consent') + 1:09d}", *row])
        for i in np.nonzero(np.isfinite(self.erase_t))[0].tolist():
            t = float(self.erase_t[i])
            st, val = (
                ("email", mess_email(p.email[i], 0.9))
                if p.email[i]
                else (
                    ("phone", phone_variant(p.phone[i], 0.9))
                    if p.phone[i]
                    else ("member_number", p.member_no[i])
                )
            )
            if not val:
                continue
            self.erasure.add(t, [f"ER{ctx.next('erasure') + 1:06d}", iso_utc(t), st, val])

    # ----------------------------------------------------------------- run
    def run(self) -> None:
        self._conv_t = {}
        self.crm_dupes: set[int] = set()
        self.init_consent()
        self.enrol_in_crm()
        self.line_lifecycle()
        self.run_campaigns()
        self.web_sessions()
        self.chats()
        self.conversions()
        if self.chunk_index == 0:
            self.bots()
        self.write_sessions()
        self.crm_and_inbox()
        self.consent_rows()
        for files in (self.ga4, self.line_hook, self.meta_hook, self.sendgrid, self.shlink):
            files.flush()
        self.send_log.flush()
        self.twilio.flush()
        self.shopify.flush()
        self.pos.flush(encodings={s[0]: s[2] for s in params.STORES}, newline="\r\n")
        self.consent.flush()
        self.erasure.flush()
