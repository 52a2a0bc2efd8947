"""Daily ad spend reports (Google Ads, Meta) from the ad clicks the simulated people made."""

from __future__ import annotations

import numpy as np

from orchestration.generator import params
from orchestration.generator.simulate import DAY, HEADERS, Context
from orchestration.generator.writers import ts


def _label(t: float) -> str:
    d = ts(t, params.TPE_OFFSET)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def write_ad_reports(ctx: Context) -> None:
    """Clicks in the reports = clicks of simulated people plus ~25% from people not simulated."""
    rng = np.random.default_rng([ctx.seed, 7_000_002])
    months: dict[str, list[int]] = {}
    for day in range(ctx.days):
        months.setdefault(ts(ctx.t0 + day * DAY, params.TPE_OFFSET).strftime("%Y-%m"), []).append(
            day
        )
    for month, days in months.items():
        g_rows, m_rows = [], []
        for day in days:
            label = ts(ctx.t0 + day * DAY, params.TPE_OFFSET).strftime("%Y-%m-%d")
            for cid, name, cpc in params.GOOGLE_CAMPAIGNS:
                clicks = ctx.ad_clicks.get((cid, day), 0)
                clicks += int(rng.poisson(0.25 * clicks + 1))
                impr = int(clicks * rng.uniform(15, 40)) + int(rng.integers(50, 200))
                cost = clicks * cpc * rng.uniform(0.85, 1.15)
                conv = clicks * 0.035 * rng.uniform(0.5, 1.5)
                g_rows.append(
                    [label, cid, name, "Enabled", "TWD", impr, clicks, f"{cost:.2f}", f"{conv:.2f}"]
                )
            for cid, name, cpc in params.META_CAMPAIGNS:
                clicks = ctx.ad_clicks.get((cid, day), 0)
                clicks += int(rng.poisson(0.25 * clicks + 1))
                impr = int(clicks * rng.uniform(40, 90)) + int(rng.integers(200, 600))
                cost = clicks * cpc * rng.uniform(0.85, 1.15)
                results = int(rng.binomial(clicks, 0.03))
                m_rows.append(
                    [
                        label,
                        name,
                        cid,
                        f"{cost:.2f}",
                        impr,
                        int(impr * 0.72),
                        clicks,
                        results,
                        label,
                        label,
                    ]
                )
        first, last = ctx.t0 + days[0] * DAY, ctx.t0 + days[-1] * DAY
        ctx.sink.csv(
            f"ad_spend/google_ads_campaign_report_{month}.csv",
            HEADERS["google_ads"],
            g_rows,
            preamble=["Campaign report", f"{_label(first)} - {_label(last)}"],
        )
        ctx.sink.csv(f"ad_spend/meta_ads_insights_{month}.csv", HEADERS["meta_ads"], m_rows)
