"""The campaign calendar: messaging campaigns over LINE, SMS and email, plus paid ad campaigns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator import params


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    channel: str  # line | sms | email
    day: int  # day offset from the start of the range (local date)
    hour: float  # local send hour
    content_tags: tuple[str, ...]
    audience: float  # share of eligible people targeted
    is_fallback: bool = False  # LINE first, SMS to those who did not click within 24 h
    is_reactivation: bool = False
    is_ab_test: bool = False
    message_type: str = "flex"

    @property
    def tags_text(self) -> str:
        return "|".join(self.content_tags)


def build_calendar(days: int, seed: int) -> list[Campaign]:
    """Deterministic calendar for a range of ``days`` days (depends on seed and days only)."""
    rng = np.random.default_rng([seed, 7_000_001])
    plan: list[tuple[int, str, dict[str, bool]]] = []
    for day in range(2, days, 7):
        plan.append((day, "line", {}))
    for day in range(1, days, 5):
        plan.append((day, "email", {}))
    for day in range(4, days, 10):
        plan.append((day, "sms", {}))
    for day in range(6, days - 1, 14):
        plan.append((day, "line", {"is_fallback": True}))
    react_day = max(1, int(days * 0.6))
    plan.append((react_day, "line", {"is_reactivation": True}))
    plan.append((react_day, "email", {"is_reactivation": True}))
    plan.sort(key=lambda p: (p[0], p[1], sorted(p[2].items())))

    campaigns: list[Campaign] = []
    seq = 0
    for day, channel, flags in plan:
        seq += 1
        tags = (
            str(rng.choice(params.PRODUCT_TAGS)),
            str(rng.choice(params.SIZE_TAGS)),
            str(rng.choice(params.COLOUR_TAGS)),
        )
        audience = 1.0 if flags.get("is_reactivation") else float(rng.uniform(0.55, 0.95))
        campaigns.append(
            Campaign(
                campaign_id=f"CMP-2026-{seq:03d}",
                channel=channel,
                day=day,
                hour=float(rng.choice([10.0, 12.5, 18.0, 20.0])),
                content_tags=tags,
                audience=audience,
                message_type="text" if channel == "line" and rng.random() < 0.3 else "flex",
                **flags,
            )
        )
    ab_day = max(1, days // 4)
    ab_tags = (
        str(rng.choice(params.PRODUCT_TAGS)),
        str(rng.choice(params.SIZE_TAGS)),
        str(rng.choice(params.COLOUR_TAGS)),
    )
    campaigns.append(
        Campaign(
            campaign_id=params.AB_CAMPAIGN_ID,
            channel="line",
            day=ab_day,
            hour=19.0,
            content_tags=ab_tags,
            audience=0.8,
            is_ab_test=True,
            message_type="variant",
        )
    )
    campaigns.sort(key=lambda c: (c.day, c.hour, c.campaign_id))
    return campaigns


def unit_cost(channel: str) -> tuple[float, str, float]:
    """(unit cost, currency, unit cost in TWD) of one message (one SMS segment)."""
    if channel == "line":
        return params.LINE_UNIT_COST_TWD, "TWD", params.LINE_UNIT_COST_TWD
    if channel == "sms":
        usd = params.SMS_PRICE_USD_PER_SEGMENT
        return usd, "USD", round(-usd * params.USD_TO_TWD, 4)
    return params.EMAIL_UNIT_COST_TWD, "TWD", params.EMAIL_UNIT_COST_TWD
