"""Which columns of which raw table carry a person's identifier, and of what kind.

Erasure matches raw rows by the salted hash of these columns, normalised as the staging model of
the table normalises them (see normalize.py). Every raw table landing writes is listed here,
with an empty mapping when the export carries no identifier (ad spend, Shlink visits: their
per-recipient short codes point at a send, whose row is erased); tests/privacy proves the list
covers every feed, so a new source has to say what it holds.
"""

from __future__ import annotations

from orchestration.privacy.normalize import KIND_EMAIL, KIND_ID, KIND_PHONE

SUBJECT = "subject:subject_type"

#: raw table -> {column: kind}
PII_COLUMNS: dict[str, dict[str, str]] = {
    "crm_contacts": {
        "email": KIND_EMAIL,
        "phone_number": KIND_PHONE,
        "mobile_phone_number": KIND_PHONE,
        "member_number": KIND_ID,
        "line_user_id": KIND_ID,
    },
    "shop_orders": {
        "email": KIND_EMAIL,
        "phone": KIND_PHONE,
        "billing_phone": KIND_PHONE,
        "shipping_phone": KIND_PHONE,
    },
    "pos_transactions": {"member_no": KIND_ID, "phone": KIND_PHONE},
    "web_events": {"user_pseudo_id": KIND_ID, "user_id": KIND_ID},
    "line_events": {"source__user_id": KIND_ID},
    "line_send_log": {"line_user_id": KIND_ID},
    "sms_messages": {"from": KIND_PHONE, "to": KIND_PHONE},
    "email_events": {"email": KIND_EMAIL},
    "social_messages": {"sender__id": KIND_ID, "recipient__id": KIND_ID},
    "social_contacts": {"channel_user_id": KIND_ID, "email": KIND_EMAIL, "phone": KIND_PHONE},
    "ad_spend_google_ads": {},
    "ad_spend_meta_ads": {},
    "link_clicks": {},
    "consent": {"subject_value": SUBJECT},
    "erasure_requests": {"subject_value": SUBJECT},
}
