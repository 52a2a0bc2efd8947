"""People of one chunk: identifiers, habits, interests, dormancy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator import params

SEGMENTS = ["line_fan", "sms_only", "email_reader", "mixed", "unresponsive"]
SEGMENT_P = [0.28, 0.14, 0.22, 0.28, 0.08]
#: mean response probabilities per segment: (line click, sms click, email open, email click)
SEGMENT_MEANS = {
    "line_fan": (0.40, 0.04, 0.06, 0.15),
    "sms_only": (0.02, 0.30, 0.03, 0.10),
    "email_reader": (0.05, 0.05, 0.50, 0.30),
    "mixed": (0.18, 0.14, 0.25, 0.20),
    "unresponsive": (0.01, 0.01, 0.04, 0.05),
}


def _hexes(rng: np.random.Generator, n: int, nbytes: int, upper: bool = False) -> list[str]:
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    out = [bytes(r).hex() for r in raw]
    return [h.upper() for h in out] if upper else out


@dataclass
class People:
    """Columns of one chunk of people; index ``i`` is the person's position in the chunk."""

    n: int
    pid: np.ndarray  # global 0-based index
    person_id: list[str]
    first_name: list[str]
    last_name: list[str]
    email: list[str]  # canonical lower-case, "" when none
    phone: list[str]  # canonical E.164, "" when none
    phone_kind: np.ndarray  # 0 none, 1 TW, 2 JP, 3 US
    family_id: list[str]
    phone_shared: np.ndarray  # bool: family phone
    member_no: list[str]
    line_id: list[str]
    line_follow_t: np.ndarray  # epoch s of follow (<= start means followed before the range)
    cookies: list[list[str]]
    app_id: list[str]
    app_platform: list[str]
    psid: list[str]
    igsid: list[str]
    crm_id: list[str]
    segment: list[str]
    p_line: np.ndarray
    p_sms: np.ndarray
    p_email_open: np.ndarray
    p_email_click: np.ndarray
    web_rate: np.ndarray  # organic web sessions per 30 days
    app_rate: np.ndarray
    ads_search: np.ndarray  # paid search clicks per 30 days
    ads_social: np.ndarray
    interests: list[tuple[str, ...]]
    propensity: np.ndarray  # person-level logit offset
    store_id: list[str]
    store_share: np.ndarray  # share of conversions made in store
    is_dormant: np.ndarray
    dormant_from: np.ndarray  # epoch s
    dormant_until: np.ndarray  # epoch s (inf until reactivated)
    reactivated_at: np.ndarray  # epoch s or nan
    ab_arm: list[str]
    created_t: np.ndarray  # CRM create time / first seen

    def active(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Whether each person ``idx`` is active (not dormant) at time ``t``."""
        return ~((t >= self.dormant_from[idx]) & (t < self.dormant_until[idx]))

    def has(self, name: str) -> np.ndarray:
        return np.array([bool(v) for v in getattr(self, name)], dtype=bool)


def tw_phone(pid: np.ndarray) -> list[str]:
    """Unique Taiwan mobile numbers (E.164) from the global person index (a bijection)."""
    digits = (pid.astype(np.int64) * 7919 + 12_345_679) % 100_000_000
    digits = np.where(digits < 1000, digits + 55_555_555, digits)  # keep clear of 0900000000
    return [f"+8869{d:08d}" for d in digits.tolist()]


def build_people(rng: np.random.Generator, first: int, n: int, t0: float, t1: float) -> People:
    """Draw ``n`` people whose global indexes start at ``first``; the range is [t0, t1)."""
    pid = np.arange(first, first + n, dtype=np.int64)
    span = t1 - t0
    fi = rng.integers(0, len(params.FIRST_NAMES), n)
    li = rng.integers(0, len(params.LAST_NAMES), n)
    first_name = [params.FIRST_NAMES[k] for k in fi]
    last_name = [params.LAST_NAMES[k] for k in li]
    dom = rng.integers(0, len(params.EMAIL_DOMAINS), n)
    has_email = rng.random(n) < 0.9
    email = [
        f"{first_name[k].lower().replace('-', '')}.{last_name[k].lower()}{pid[k]}@"
        f"{params.EMAIL_DOMAINS[dom[k]]}"
        if has_email[k]
        else ""
        for k in range(n)
    ]

    has_phone = rng.random(n) < 0.88
    kind_r = rng.random(n)
    phone_kind = np.where(has_phone, np.where(kind_r < 0.006, 2, np.where(kind_r < 0.012, 3, 1)), 0)
    tw = tw_phone(pid)
    phone = []
    for k in range(n):
        pk = phone_kind[k]
        if pk == 1:
            phone.append(tw[k])
        elif pk == 2:
            phone.append(f"+8190{(pid[k] * 37 + 1234) % 100_000_000:08d}")
        elif pk == 3:
            phone.append(f"+1415555{pid[k] % 10_000:04d}" if pid[k] < 10_000 else tw[k])
        else:
            phone.append("")
    phone_kind = np.where((phone_kind == 3) & (pid >= 10_000), 1, phone_kind)

    # Families (~0.5% of people): a follower shares the previous person's phone (max 3).
    family_id = [""] * n
    phone_shared = np.zeros(n, dtype=bool)
    follower = rng.random(n) < 0.004
    fam_size: dict[str, int] = {}
    for k in range(1, n):
        if not follower[k] or not phone[k - 1]:
            continue
        fam = family_id[k - 1] or f"F{pid[k - 1]:07d}"
        if fam_size.get(fam, 1) >= 3:
            continue
        fam_size[fam] = fam_size.get(fam, 1) + 1
        family_id[k - 1] = family_id[k] = fam
        phone[k] = phone[k - 1]
        phone_kind[k] = phone_kind[k - 1]
        phone_shared[k] = phone_shared[k - 1] = True

    is_member = rng.random(n) < 0.6
    member_no = [f"M{p + 100_000:08d}" if m else "" for p, m in zip(pid, is_member, strict=True)]
    has_line = rng.random(n) < 0.5
    line_hex = _hexes(rng, n, 16)
    line_id = ["U" + h if has_line[k] else "" for k, h in enumerate(line_hex)]
    # 80% followed before the range, the rest follow during it.
    follow_during = rng.random(n) < 0.2
    line_follow_t = np.where(follow_during, t0 + rng.random(n) * span * 0.8, t0 - 86400.0)

    has_web = rng.random(n) < 0.85
    n_cookies = np.where(has_web, rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1]), 0)
    ck_a = rng.integers(100_000_000, 2_147_483_647, size=(n, 3))
    ck_b = rng.integers(1_650_000_000, 1_770_000_000, size=(n, 3))
    cookies = [[f"{ck_a[k, j]}.{ck_b[k, j]}" for j in range(n_cookies[k])] for k in range(n)]
    has_app = rng.random(n) < 0.2
    app_hex = _hexes(rng, n, 16, upper=True)
    app_id = [app_hex[k] if has_app[k] else "" for k in range(n)]
    app_platform = ["ANDROID" if r < 0.55 else "IOS" for r in rng.random(n)]
    has_psid = rng.random(n) < 0.1
    psid_n = rng.integers(1_000_000_000_000_000, 9_999_999_999_999_999, size=n)
    psid = [str(psid_n[k]) if has_psid[k] else "" for k in range(n)]
    has_ig = rng.random(n) < 0.08
    ig_n = rng.integers(10_000_000_000_000_000, 99_999_999_999_999_999, size=n)
    igsid = [str(ig_n[k]) if has_ig[k] else "" for k in range(n)]
    in_crm = rng.random(n) < 0.7
    crm_id = [str(50_000_000_000 + p * 13) if c else "" for p, c in zip(pid, in_crm, strict=True)]

    seg_idx = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_P)
    segment = [SEGMENTS[s] for s in seg_idx]
    means = np.array([SEGMENT_MEANS[s] for s in SEGMENTS])[seg_idx]
    noise = rng.beta(4, 4, size=(n, 4)) * 2  # mean 1, multiplicative
    probs = np.clip(means * noise, 0.0, 0.95)

    web_rate = np.where(has_web, rng.gamma(2.0, 0.8, n), 0.0)
    app_rate = np.where(has_app, rng.gamma(2.0, 1.5, n), 0.0)
    ads_search = np.where(has_web & (rng.random(n) < 0.5), rng.gamma(1.5, 0.4, n), 0.0)
    ads_social = np.where(has_web & (rng.random(n) < 0.5), rng.gamma(1.5, 0.4, n), 0.0)

    interests = []
    pt = rng.integers(0, len(params.PRODUCT_TAGS), size=(n, 2))
    st = rng.integers(0, len(params.SIZE_TAGS), n)
    ct = rng.integers(0, len(params.COLOUR_TAGS), n)
    for k in range(n):
        prods = sorted({params.PRODUCT_TAGS[pt[k, 0]], params.PRODUCT_TAGS[pt[k, 1]]})
        interests.append((*prods, params.SIZE_TAGS[st[k]], params.COLOUR_TAGS[ct[k]]))
    propensity = rng.normal(0.0, 0.5, n)
    store_idx = rng.integers(0, len(params.STORES), n)
    store_id = [params.STORES[s][0] for s in store_idx]
    store_share = np.where(is_member, rng.beta(2, 3, n), rng.beta(1, 6, n))
    store_share = np.where(has_web, store_share, 0.95)

    is_dormant = rng.random(n) < 0.15
    dormant_from = np.where(is_dormant, t0 + rng.random(n) * span * 0.3, np.inf)
    dormant_until = np.full(n, np.inf)
    ab_arm = ["A" if r < 0.5 else "B" for r in rng.random(n)]
    created_t = t0 - rng.random(n) * 400 * 86400.0
    created_t = np.where(follow_during & has_line, np.minimum(created_t, line_follow_t), created_t)

    return People(
        n=n,
        pid=pid,
        person_id=[f"P{p + 1:07d}" for p in pid],
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        phone_kind=phone_kind,
        family_id=family_id,
        phone_shared=phone_shared,
        member_no=member_no,
        line_id=line_id,
        line_follow_t=line_follow_t,
        cookies=cookies,
        app_id=app_id,
        app_platform=app_platform,
        psid=psid,
        igsid=igsid,
        crm_id=crm_id,
        segment=segment,
        p_line=probs[:, 0],
        p_sms=probs[:, 1],
        p_email_open=probs[:, 2],
        p_email_click=probs[:, 3],
        web_rate=web_rate,
        app_rate=app_rate,
        ads_search=ads_search,
        ads_social=ads_social,
        interests=interests,
        propensity=propensity,
        store_id=store_id,
        store_share=store_share,
        is_dormant=is_dormant,
        dormant_from=dormant_from,
        dormant_until=dormant_until,
        reactivated_at=np.full(n, np.nan),
        ab_arm=ab_arm,
        created_t=created_t,
    )


#: Messaging channels the truth ranks and the mart's preferred channel chooses from.
MESSAGE_CHANNELS = ("line", "sms", "email")


def preferred_channel(response_rates: dict[str, float]) -> str:
    """The channel with the highest expected response rate per delivered message among those
    the person can receive (``response_rates`` holds only those); "" when none."""
    if not response_rates:
        return ""
    return max(MESSAGE_CHANNELS, key=lambda c: response_rates.get(c, -1.0))
