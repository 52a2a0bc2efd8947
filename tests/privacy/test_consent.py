"""Consent decides reachability now and whether each touch happened with consent.

On the warehouse the `pipeline` fixture built, an independent Python reading of the consent
history (staging's consent events, subjects mapped to customers through marts
customer_identifiers) must agree with the marts: customer_360's consented channels, flags,
preferred and cheapest channels, and touchpoints.had_consent at every brand-message touch.
"""

from __future__ import annotations

import bisect
import os
from collections import defaultdict

import duckdb
import pytest

from tests.marts.truth_agreement import customer_people

CONSENT_CHANNELS = ("email", "sms", "line", "messenger", "instagram", "app_push")
MESSAGE_TOUCHES = ("sent", "delivered", "opened", "clicked")


@pytest.fixture(scope="module")
def built(pipeline):
    ws, _ = pipeline
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    subject_customer = {
        (identifier_type, identifier_hash): customer_id
        for customer_id, identifier_type, identifier_hash in con.execute(
            "select customer_id, identifier_type, identifier_hash from marts.customer_identifiers"
        ).fetchall()
    }
    # (customer, channel) -> {subject: [(occurred_at, event_id, granted), ...]} in time order
    history: dict[tuple[str, str], dict[tuple[str, str], list]] = defaultdict(dict)
    for event_id, subject_type, subject_hash, channel, granted, occurred_at in con.execute(
        "select consent_event_id, subject_type, subject_hash, channel, is_granted, occurred_at"
        " from staging.stg_consent__events where subject_hash is not null"
        " order by occurred_at, consent_event_id"
    ).fetchall():
        customer = subject_customer.get((subject_type, subject_hash))
        if customer is not None:
            subjects = history[(customer, channel)]
            subjects.setdefault((subject_type, subject_hash), []).append(
                (occurred_at, event_id, granted)
            )
    yield ws, con, history
    con.close()


def _granted_at(subjects: dict, at=None) -> bool:
    """Any subject whose latest event at or before `at` (or ever, when None) is a grant."""
    for events in subjects.values():
        if at is None:
            if events[-1][2]:
                return True
            continue
        i = bisect.bisect_right([e[0] for e in events], at)
        if i and events[i - 1][2]:
            return True
    return False


def test_customer_360_reachability_follows_the_latest_consent(built):
    _, con, history = built
    rows = con.execute(
        "select customer_id, consented_channels, is_email_consented, is_sms_consented,"
        " is_line_consented, preferred_channel, cheapest_effective_channel"
        " from marts.customer_360"
    ).fetchall()
    assert rows
    checked = 0
    for customer, listed, email, sms, line, preferred, cheapest in rows:
        reachable = {
            channel
            for channel in CONSENT_CHANNELS
            if _granted_at(history.get((customer, channel), {}))
        }
        assert set((listed or "").split(",")) - {""} == reachable, customer
        assert (email, sms, line) == tuple(c in reachable for c in ("email", "sms", "line"))
        for channel in (preferred, cheapest):
            assert channel is None or channel in reachable, (customer, channel, reachable)
        checked += bool(reachable)
    assert checked > 100


def test_every_brand_message_touch_has_had_consent_as_of_its_time(built):
    _, con, history = built
    rows = con.execute(
        "select customer_id, channel, touch_type, occurred_at, had_consent from marts.touchpoints"
    ).fetchall()
    applies = [
        r for r in rows if r[2] in MESSAGE_TOUCHES and r[1] in CONSENT_CHANNELS and r[0] is not None
    ]
    assert len(applies) > 1000
    wrong = [r for r in applies if r[4] != _granted_at(history.get((r[0], r[1]), {}), at=r[3])]
    assert wrong == []
    others = [r for r in rows if r not in applies]
    assert others and all(r[4] is None for r in others)


def test_sends_to_known_people_mostly_had_consent(built):
    """The generator sends only with consent, except to ~2% of people who withdrew ("leaky"):
    nearly every send to a person the truth knows had consent, and had_consent is not a
    constant."""
    ws, con, _ = built
    people = customer_people(con, ws.truth, os.environ["OMNI_PII_SALT"])
    sends = [
        had
        for customer, had in con.execute(
            "select customer_id, had_consent from marts.touchpoints where touch_type = 'sent'"
            " and had_consent is not null"
        ).fetchall()
        if customer in people
    ]
    assert len(sends) > 1000
    assert sum(sends) / len(sends) > 0.97
