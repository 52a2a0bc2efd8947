"""Ground truth: who is who, what they did, and the parameters the marts should recover."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import phonenumbers

from orchestration.generator import params
from orchestration.generator.campaigns import Campaign, unit_cost
from orchestration.generator.population import MESSAGE_CHANNELS, preferred_channel
from orchestration.generator.simulate import ChunkSim, Context
from orchestration.generator.writers import iso_utc

PEOPLE_HEADER = [
    "person_id",
    "first_name",
    "last_name",
    "family_id",
    "segment",
    "preferred_channel",
    "p_line_click",
    "p_sms_click",
    "p_email_open",
    "p_email_click",
    "line_response_rate",
    "sms_response_rate",
    "email_response_rate",
    "web_sessions_per_30d",
    "interest_tags",
    "propensity",
    "is_member",
    "is_dormant",
    "dormant_from",
    "reactivated",
    "reactivated_at",
    "ab_arm",
    "ab_received",
    "home_store_id",
    "erased_at",
    "orders",
    "net_revenue",
]
IDENT_HEADER = ["person_id", "identifier_type", "identifier_value", "is_shared"]
#: identifier types of identifiers.csv that belong to a person (what stitching must join)
PERSON_IDENTIFIER_TYPES = (
    "email",
    "phone",
    "member_number",
    "line_user_id",
    "web_cookie",
    "app_instance_id",
    "psid",
    "igsid",
)
#: every identifier type of identifiers.csv (crm_contact_id is the CRM's record key)
IDENTIFIER_TYPES = (*PERSON_IDENTIFIER_TYPES, "crm_contact_id")
ORDERS_HEADER = [
    "source",
    "source_order_id",
    "person_id",
    "ordered_at",
    "revenue",
    "refunded_amount",
    "net_revenue",
    "store_id",
]


def e164(raw: str) -> str:
    """Normalise a phone as staging does: E.164 with Taiwan as the default region."""
    num = phonenumbers.parse(raw, "TW")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _t(x: float) -> str:
    return iso_utc(x) if math.isfinite(x) else ""


def response_rates(sim: ChunkSim) -> dict[str, np.ndarray]:
    """Expected response rate per delivered message, per person and messaging channel, as the
    simulation draws it and the mart counts it (int_customer_channel_responses): a click of the
    per-recipient link on LINE and SMS, an open on email. LINE and SMS clicks are boosted by the
    interest match with the message's content tags (ChunkSim.match_mult), so their rate is
    p_line / p_sms times that boost, clipped as the simulation clips it, averaged over the
    channel's campaigns (SMS: its own and the fallback SMS of the LINE fallback campaigns, which
    carry the LINE campaign's tags). Email opens have no content boost. Dormancy, the A/B arm's
    click multiplier and reactivation offers are left out: they touch every channel alike or a
    single message. NaN where the person holds no identifier for the channel."""
    p, campaigns = sim.p, sim.ctx.campaigns
    everyone = np.arange(sim.n)

    def mean_boosted(prob: np.ndarray, tags: list[tuple[str, ...]], cap: float) -> np.ndarray:
        if not tags:
            return np.clip(prob, 0.0, cap)
        boosted = [np.clip(prob * sim.match_mult(everyone, t), 0.0, cap) for t in tags]
        return np.mean(boosted, axis=0)

    line_tags = [c.content_tags for c in campaigns if c.channel == "line"]
    sms_tags = [c.content_tags for c in campaigns if c.channel == "sms" or c.is_fallback]
    rates = {
        "line": mean_boosted(p.p_line, line_tags, 0.97),
        "sms": mean_boosted(p.p_sms, sms_tags, 0.95),
        "email": np.clip(p.p_email_open, 0.0, 0.95),
    }
    held = {"line": p.has("line_id"), "sms": p.has("phone"), "email": p.has("email")}
    return {c: np.where(held[c], rates[c], np.nan) for c in MESSAGE_CHANNELS}


def _rate(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) else ""


def write_chunk(sim: ChunkSim) -> None:
    p, ctx = sim.p, sim.ctx
    people, idents = [], []
    junk_phone = e164(params.STORE_DEFAULT_PHONE)
    rates = response_rates(sim)
    accumulate_removal_effects(sim)
    for i in range(sim.n):
        pid = p.person_id[i]
        held = {c: float(rates[c][i]) for c in MESSAGE_CHANNELS if math.isfinite(rates[c][i])}
        people.append(
            [
                pid,
                p.first_name[i],
                p.last_name[i],
                p.family_id[i],
                p.segment[i],
                preferred_channel(held),
                f"{p.p_line[i]:.4f}",
                f"{p.p_sms[i]:.4f}",
                f"{p.p_email_open[i]:.4f}",
                f"{p.p_email_click[i]:.4f}",
                *(_rate(rates[c][i]) for c in MESSAGE_CHANNELS),
                f"{p.web_rate[i]:.3f}",
                "|".join(p.interests[i]),
                f"{p.propensity[i]:.4f}",
                str(bool(p.member_no[i])).lower(),
                str(bool(p.is_dormant[i])).lower(),
                _t(p.dormant_from[i]),
                str(bool(np.isfinite(p.reactivated_at[i]))).lower(),
                _t(p.reactivated_at[i]),
                p.ab_arm[i],
                str(i in sim.ab_sent).lower(),
                p.store_id[i],
                _t(sim.erase_t[i]),
                int(sim.n_orders[i]),
                f"{sim.revenue[i]:.2f}",
            ]
        )
        if p.email[i]:
            idents.append([pid, "email", p.email[i], "false"])
        if p.phone[i]:
            idents.append([pid, "phone", e164(p.phone[i]), str(bool(p.phone_shared[i])).lower()])
        if p.member_no[i]:
            idents.append([pid, "member_number", p.member_no[i], "false"])
        if p.line_id[i]:
            idents.append([pid, "line_user_id", p.line_id[i], "false"])
        for ck in p.cookies[i]:
            idents.append([pid, "web_cookie", ck, "false"])
        if p.app_id[i]:
            idents.append([pid, "app_instance_id", p.app_id[i], "false"])
        if p.psid[i]:
            idents.append([pid, "psid", p.psid[i], "false"])
        if p.igsid[i]:
            idents.append([pid, "igsid", p.igsid[i], "false"])
        if p.crm_id[i] and p.created_t[i] < ctx.t1:
            idents.append([pid, "crm_contact_id", p.crm_id[i], "false"])
            if i in sim.crm_dupes:
                idents.append([pid, "crm_contact_id", str(int(p.crm_id[i]) + 7), "false"])
        junk = sim.junk_users.get(i, set())
        if "email" in junk:
            idents.append([pid, "email", params.JUNK_EMAIL, "true"])
        if "phone" in junk:
            idents.append([pid, "phone", junk_phone, "true"])
    ctx.truth.csv("people.csv", PEOPLE_HEADER, people)
    ctx.truth.csv("identifiers.csv", IDENT_HEADER, idents)
    ctx.truth.csv("orders.csv", ORDERS_HEADER, sim.truth_orders)


def write_campaigns(ctx: Context) -> None:
    rows: list[list[Any]] = []
    for c in ctx.campaigns:
        cost, cur, twd = unit_cost(c.channel)
        rows.append(
            [
                c.campaign_id,
                c.channel,
                "sms" if c.is_fallback else "",
                (ctx.t0 + c.day * 86400 + c.hour * 3600)
                and iso_utc(ctx.t0 + c.day * 86400 + c.hour * 3600),
                cost,
                cur,
                twd,
                c.tags_text,
                str(c.is_fallback).lower(),
                str(c.is_reactivation).lower(),
                str(c.is_ab_test).lower(),
            ]
        )
    for platform, camps in (
        ("paid_search", params.GOOGLE_CAMPAIGNS),
        ("paid_social", params.META_CAMPAIGNS),
    ):
        for cid, _name, cpc in camps:
            rows.append([cid, platform, "", "", cpc, "TWD", cpc, "", "false", "false", "false"])
    ctx.truth.csv(
        "campaigns.csv",
        [
            "campaign_id",
            "channel",
            "fallback_channel",
            "sent_at",
            "unit_cost",
            "currency",
            "unit_cost_twd",
            "content_tags",
            "is_fallback",
            "is_reactivation",
            "is_ab_test",
        ],
        rows,
    )


def write_json(root: Path, name: str, obj: Any) -> None:
    (root / name).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def accumulate_removal_effects(sim: ChunkSim) -> None:
    """Add this chunk's expected conversions (sum over person-weeks of the conversion
    probability) with every touch, without each channel's touches and without any touch to
    ctx.removal: the exact counterfactual a removal effect estimates, from the simulation's own
    logits (no extra draws: the simulated data do not change)."""
    capped, logit, _ = sim.person_week_logits()

    def expected(x: np.ndarray) -> float:
        return float((1.0 / (1.0 + np.exp(-x))).sum())

    removal = sim.ctx.removal
    removal["all"] += expected(logit)
    betas = [params.CHANNEL_LIFTS[c] for c in params.LIFT_CHANNELS]
    removal["none"] += expected(logit - capped @ np.array(betas))
    for c, channel in enumerate(params.LIFT_CHANNELS):
        removal[channel] += expected(logit - betas[c] * capped[:, :, c])


def removal_effects(ctx: Context) -> dict[str, float]:
    """True removal effect per channel: the share of expected conversions lost when every touch
    of the channel is taken away (1 - E[conversions without it] / E[conversions])."""
    total = ctx.removal["all"]
    return {
        c: round(1.0 - ctx.removal[c] / total, 6) if total else 0.0 for c in params.LIFT_CHANNELS
    }


def channel_lifts(ctx: Context) -> dict[str, Any]:
    order = sorted(params.CHANNEL_LIFTS, key=lambda c: -params.CHANNEL_LIFTS[c])
    effects = removal_effects(ctx)
    total = ctx.removal["all"]
    return {
        "model": "logistic per person-week: logit P(conversion in week) = base_logit + "
        "person propensity (normal, sd 0.5) + sum over channels of beta[channel] * "
        "min(touches on channel that week, touch_cap) (+ A/B arm lift)",
        "base_logit": params.BASE_LOGIT,
        "touch_cap": params.TOUCH_CAP,
        "betas": params.CHANNEL_LIFTS,
        "order": order,
        "touch_definition": {
            "line": "click on the per-recipient short link, or a reply/chat message",
            "sms": "click on the per-recipient short link",
            "email": "SendGrid open",
            "messenger": "a service chat started by the customer",
            "instagram": "a service chat started by the customer",
            "paid_search": "GA4 session from a Google Ads click (gclid)",
            "paid_social": "GA4 session from a Meta ad click (fbclid)",
            "organic_search": "GA4 session with a search-engine referrer",
            "referral": "GA4 session with another site as referrer",
            "direct": "GA4 web session with no source (app sessions are no touch: no lift)",
        },
        "touches": {k: v["touches"] for k, v in ctx.touch_stats.items()},
        "removal_effects": effects,
        "removal_effect_order": sorted(effects, key=lambda c: -effects[c]),
        "removal_effect_definition": "share of expected conversions (sum over person-weeks of "
        "P(conversion)) lost when every touch of the channel is removed: 1 - E[conversions "
        "without the channel] / E[conversions]; what a markov removal effect estimates. It "
        "grows with beta and with how many people-weeks the channel touches",
        "expected_conversions": round(total, 3),
        "no_touch_conversion_share": round(ctx.removal["none"] / total, 6) if total else 0.0,
    }


def ab_test(ctx: Context) -> dict[str, Any]:
    c = next(c for c in ctx.campaigns if c.is_ab_test)
    arms = {}
    for arm, st in ctx.ab_stats.items():
        rate = st["converted_7d"] / st["recipients"] if st["recipients"] else 0.0
        arms[arm] = {
            **st,
            "conversion_rate_7d": round(rate, 5),
            "logit_lift": params.AB_ARM_LIFT[arm],
            "click_multiplier": 1.3 if arm == "B" else 1.0,
        }
    return {
        "campaign_id": c.campaign_id,
        "channel": c.channel,
        "sent_at": iso_utc(ctx.t0 + c.day * 86400 + c.hour * 3600),
        "arm_recorded_in": "line_events send_log message_type: variant_A / variant_B",
        "assignment": "person-level 50/50 (people.csv ab_arm); recipients are ab_received",
        "effect": "arm B adds logit_lift to the conversion logit in the week of the send and "
        "the next week, and clicks 1.3x as often",
        "winner": "B",
        "arms": arms,
    }


def campaign_rows(campaigns: list[Campaign]) -> int:
    return len(campaigns)
