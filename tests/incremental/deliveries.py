"""The day's messy extras for the incremental tests: late, re-delivered and changed events (the
split into history and a daily delivery is orchestration.lib.sample.hold_back_day)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path


def _day(day: str, offset: int) -> str:
    return (datetime.strptime(day, "%Y%m%d").date() + timedelta(days=offset)).strftime("%Y%m%d")


def write_late_and_redelivered(landing: Path, day: str) -> dict:
    """Files a real daily delivery also brings, beside the day's own exports:

    - GA4: late events dated two days back (inside the lookback): a copy of a session_start
      three hours earlier (a new session) and one ten minutes earlier (it becomes the first
      event of an existing session, whose id changes); plus a re-delivery of part of yesterday,
      one login event of it re-exported without its user_id, one purchase with another
      transaction id.
    - SendGrid: a webhook retry of already-loaded events (the first delivery wins), a late
      open dated two days back and a click of a per-recipient link by another address (a
      forwarded email: the code has two recipients now).
    - LINE: a redelivery (isRedelivery true) of an already-loaded webhook body.
    - Twilio: a re-export of messages of its latest send day with a new status (latest wins).
    Returns what the test checks afterwards.
    """
    two_back, one_back = _day(day, -2), _day(day, -1)
    web = landing / "web_events"
    logins = Counter(
        (event["user_pseudo_id"], event["user_id"])
        for path in web.glob("events_*.json")
        for event in map(json.loads, path.read_text().splitlines())
        if event.get("user_id")
    )
    lines = (web / f"events_{two_back}.json").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    starts = [e for e in events if e["event_name"] == "session_start"]
    early = json.loads(json.dumps(starts[0]))
    early["event_timestamp"] = int(early["event_timestamp"]) - 3 * 3600 * 1_000_000
    first = json.loads(json.dumps(starts[1]))
    first["event_timestamp"] = int(first["event_timestamp"]) - 10 * 60 * 1_000_000
    late = [early, first]
    (web / f"events_{day}_late.json").write_text("\n".join(json.dumps(e) for e in late) + "\n")
    yesterday = (web / f"events_{one_back}.json").read_text().splitlines()
    # one re-delivered event no longer carries its login (user_id cleared, same event id): its
    # staged record keeps the client id alone, so its client-member pair must go; the pair is
    # seen in other events too, so the graph keeps the edge
    login = next(
        line
        for line in yesterday
        if (event := json.loads(line)).get("user_id")
        and logins[(event["user_pseudo_id"], event["user_id"])] >= 2
    )
    logged_out = {**json.loads(login), "user_id": None}
    # one re-delivered purchase names another order (same event id: the transaction id is not
    # part of it): the web_purchase record of the order it named loses its cookie
    orders = Counter(
        event["ecommerce"]["transaction_id"]
        for path in web.glob("events_*.json")
        for event in map(json.loads, path.read_text().splitlines())
        if (event.get("ecommerce") or {}).get("transaction_id")
    )
    purchase = next(
        line
        for line in yesterday
        if ((event := json.loads(line)).get("ecommerce") or {}).get("transaction_id")
        and orders[event["ecommerce"]["transaction_id"]] == 1
    )
    retransacted = json.loads(purchase)
    old_order = retransacted["ecommerce"]["transaction_id"]
    new_order = f"{old_order}99"
    retransacted["ecommerce"]["transaction_id"] = new_order
    for param in retransacted["event_params"]:
        if param["key"] == "transaction_id":
            param["value"] = {"string_value": new_order}
    redelivered = [line for line in yesterday[:50] if line not in (login, purchase)] + [
        json.dumps(logged_out),
        json.dumps(retransacted),
    ]
    (web / f"events_{one_back}_redelivered.json").write_text("\n".join(redelivered) + "\n")

    email = landing / "email_events"
    latest = sorted(email.glob("sendgrid_events_*.json"))[-1]
    loaded = latest.read_text().splitlines()
    opened = json.loads(next(line for line in loaded if '"event":"open"' in line))
    opened["sg_event_id"] = opened["sg_event_id"][:-4] + "LATE"
    opened["timestamp"] = int(datetime.strptime(two_back, "%Y%m%d").replace(hour=12).timestamp())
    # a per-recipient email link forwarded: another address clicks it, so its code has two
    # recipients now and is no longer a per-recipient link (its short_link record loses the
    # recipient; a code no session landed with, so the record held no pair and the graph stays)
    clicks = [
        event
        for path in sorted(email.glob("sendgrid_events_*.json"))
        for event in map(json.loads, path.read_text().splitlines())
        if event["event"] == "click" and "s.omni.tw/" in (event.get("url") or "")
    ]
    recipients: dict[str, set[str]] = {}
    for event in clicks:
        recipients.setdefault(event["url"].rsplit("/", 1)[1], set()).add(event["email"])
    landed = {
        code
        for path in web.glob("events_*.json")
        for code in re.findall(r"[?&]sl=([0-9A-Za-z]+)", path.read_text())
    }
    forwarded = next(
        {**event, "email": other["email"]}
        for event in clicks
        if len(recipients[code := event["url"].rsplit("/", 1)[1]]) == 1 and code not in landed
        for other in clicks[-1:]
        if other["email"] not in recipients[code]
    )
    forwarded["sg_event_id"] = forwarded["sg_event_id"][:-4] + "FWRD"
    forwarded["timestamp"] = int(datetime.strptime(day, "%Y%m%d").replace(hour=9).timestamp())
    (email / f"sendgrid_events_{day}_retry.json").write_text(
        "\n".join([*loaded[:30], json.dumps(opened), json.dumps(forwarded)]) + "\n"
    )

    line = landing / "line_events"
    body = json.loads((line / f"webhook_{two_back}.json").read_text().splitlines()[0])
    for event in body["events"]:
        event["deliveryContext"] = {"isRedelivery": True}
    (line / f"webhook_{day}_redelivery.json").write_text(json.dumps(body) + "\n")

    sms = landing / "sms_messages"
    export = sorted(sms.glob("twilio_messages_*.csv"))[0]
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    outbound = [r for r in rows if r["Direction"] != "inbound"]
    latest_sent = max(date.fromisoformat(r["SentDate"][:10]) for r in outbound)
    recent = [r for r in outbound if date.fromisoformat(r["SentDate"][:10]) == latest_sent][:20]
    for r in recent:
        r["Status"] = "undelivered" if r["Status"] == "delivered" else "delivered"
    with (sms / f"twilio_messages_{day}_reexport.csv").open("w", newline="", encoding="utf-8") as h:
        writer = csv.DictWriter(h, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(recent)
    return {
        "late_web_events": [(e["user_pseudo_id"], int(e["event_timestamp"])) for e in late],
        "late_sendgrid_event_id": opened["sg_event_id"],
        "logged_out": (logged_out["user_pseudo_id"], str(logged_out["event_timestamp"])),
        "retransacted": (old_order, new_order),
        "forwarded_code": forwarded["url"].rsplit("/", 1)[1],
        "reexported_sids": [r["Sid"] for r in recent],
        "reexported_sent_on": latest_sent,
    }


def write_snapshot_change(landing: Path, day: str) -> tuple[str, str]:
    """A HubSpot contacts export delivered with the day that changes one contact: it has a new
    mobile phone number (the latest export of a contact wins in staging). Its record's
    occurrences change (the old mobile phone goes, the new one comes), so the daily run must
    replace that HubSpot record. The export also re-exports another contact unchanged: staged
    again (a new _loaded_at), it must be neither replaced nor logged. Returns the two contacts'
    Record IDs (changed, unchanged).
    """
    crm = landing / "crm_contacts"
    export = sorted(crm.glob("hubspot-crm-exports-*.csv"))[0]
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with_phones = [r for r in rows if r["Email"] and r["Mobile Phone Number"]]
    contact, unchanged = with_phones[0], with_phones[1]
    changed = {
        **contact,
        "Mobile Phone Number": "886955000123",
        "Last Modified Date": datetime.strptime(day, "%Y%m%d").strftime("%Y-%m-%d 12:00"),
    }
    path = crm / f"hubspot-crm-exports-changed-contacts-{day}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(changed)
        writer.writerow(unchanged)
    return contact["Record ID"], unchanged["Record ID"]


def write_contact_to_erase(landing: Path) -> str:
    """A HubSpot export (history) with one more contact: a fresh email and member number, and
    two placeholder phones on the junk list (excluded, so no customer's). Returns its Record ID.
    """
    crm = landing / "crm_contacts"
    export = sorted(crm.glob("hubspot-crm-exports-*.csv"))[0]
    with export.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    contact = dict.fromkeys(header, "") | {
        "Record ID": "59999999999",
        "Email": "to.be.erased@example.com",
        "Phone Number": "0900000000",
        "Mobile Phone Number": "0911111111",
        "Member Number": "M99999999",
        "Lifecycle Stage": "lead",
        "Create Date": "2026-05-01 10:00",
        "Last Modified Date": "2026-05-01 10:00",
    }
    with (crm / "hubspot-crm-exports-one-contact-2026-05-01.csv").open(
        "w", newline="", encoding="utf-8"
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(contact)
    return contact["Record ID"]


def erase_customer_of(warehouse: Path, contact_id: str) -> None:
    """What the erasure job (orchestration/privacy/erasure.py) does to the customer of a HubSpot
    contact: their raw contact rows go, and every row of every derived table (staging too)
    holding one of their identifiers or customer id (its own step 4, _erase_derived). The
    contact's excluded phones are no customer's: their occurrences and pair stay, of a record
    staging no longer holds.
    """
    import duckdb

    from orchestration.privacy.erasure import _erase_derived

    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            """
            create temp table _tokens as
            with customers as (
                select distinct stitched.customer_id
                from intermediate.int_customers_stitched as stitched
                inner join intermediate.int_identifiers_unioned as occurrences
                    on stitched.identifier_key = occurrences.identifier_key
                where occurrences.source_name = 'hubspot' and occurrences.record_key = ?
            ),
            identifiers as (
                select stitched.customer_id, stitched.identifier_key
                from intermediate.int_customers_stitched as stitched
                where stitched.customer_id in (select customer_id from customers)
            )
            select distinct 'TEST' as erasure_request_id, token from (
                select customer_id as token from identifiers
                union all select identifier_key from identifiers
                union all select split_part(identifier_key, ':', 2) from identifiers
                union all select member_number from staging.stg_hubspot__contacts
                    where contact_id = ?
                union all select email_sha256 from staging.stg_hubspot__contacts
                    where contact_id = ?
            ) where token is not null
            """,
            [contact_id, contact_id, contact_id],
        )
        con.execute("delete from raw.crm_contacts where trim(record_id) = ?", [contact_id])
        _erase_derived(con, {})
    finally:
        con.close()


def _reachable(adjacency: dict[str, set[str]], start: str, without: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for neighbour in adjacency[stack.pop()]:
            if neighbour != without and neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return seen


def write_identity_changes(landing: Path, day: str, warehouse: Path) -> dict:
    """GA4 events (a login on a web cookie) that change the identity graph of the built warehouse:

    - merge: a cookie of one customer, never seen with a member number, logs in as a member of
      another customer: a new edge joins the two customers' components;
    - split: a cookie seen with exactly one member number, whose edges alone hold its component
      together (removing it disconnects it), logs in as a third customer's member: the cookie is
      now shared by two members (identity_max_members_per_identifier = 1), so it is excluded,
      loses every edge, and its former component falls apart.
    Returns the identifier keys involved.
    """
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        edges = con.execute(
            "select identifier_key_a, identifier_key_b from intermediate.int_identity_edges"
        ).fetchall()
        component = dict(
            con.execute("select node, component_id from intermediate.int_identity_components")
        .fetchall())  # fmt: skip
        raw = con.execute(
            """
            select distinct occurrences.identifier_key, case occurrences.identifier_type
                when 'web_cookie' then events.user_pseudo_id else events.member_number end
            from intermediate.int_identifiers_unioned as occurrences
            inner join staging.stg_ga4__events as events
                on occurrences.record_key = events.event_id
            where occurrences.source_name = 'ga4'
                and occurrences.identifier_type in ('web_cookie', 'member_number')
            """
        ).fetchall()
    finally:
        con.close()
    raw_value = dict(raw)
    adjacency: dict[str, set[str]] = {}
    for a, b in edges:
        adjacency.setdefault(a, set()).add(b)
        adjacency.setdefault(b, set()).add(a)

    def members(node: str) -> list[str]:
        return [n for n in adjacency[node] if n.startswith("member_number:")]

    cookies = sorted(n for n in adjacency if n.startswith("web_cookie:") and n in raw_value)
    ga4_members = sorted(n for n in raw_value if n.startswith("member_number:") and n in component)
    split_cookie = next(
        cookie
        for cookie in cookies
        if len(members(cookie)) == 1
        and len(adjacency[cookie]) >= 2
        and not adjacency[cookie] <= _reachable(adjacency, next(iter(adjacency[cookie])), cookie)
    )
    merge_cookie = next(
        cookie
        for cookie in cookies
        if not members(cookie) and component[cookie] != component[split_cookie]
    )
    used = {component[split_cookie], component[merge_cookie]}
    split_member = next(m for m in ga4_members if component[m] not in used)
    used.add(component[split_member])
    merge_member = next(m for m in ga4_members if component[m] not in used)

    web = landing / "web_events"
    template = next(
        e
        for e in map(json.loads, (web / f"events_{day}.json").read_text().splitlines())
        if e["platform"] == "WEB"
    )
    noon = int(datetime.strptime(day, "%Y%m%d").replace(hour=12).timestamp()) * 1_000_000
    logins = []
    for offset, (cookie, member) in enumerate(
        ((merge_cookie, merge_member), (split_cookie, split_member))
    ):
        event = json.loads(json.dumps(template))
        event.update(
            event_name="page_view",
            event_timestamp=noon + offset,
            event_params=[
                {"key": "ga_session_id", "value": {"int_value": noon // 1_000_000 + offset}},
                {"key": "page_location", "value": {"string_value": "https://shop.omni.tw/"}},
            ],
            collected_traffic_source=None,
            user_pseudo_id=raw_value[cookie],
            user_id=raw_value[member],
            ecommerce=None,
        )
        logins.append(event)
    (web / f"events_{day}_logins.json").write_text("\n".join(json.dumps(e) for e in logins) + "\n")
    return {
        "merge": (merge_cookie, merge_member),
        "split": (split_cookie, split_member),
        "split_component": component[split_cookie],
    }


def write_consent_and_erasure(landing: Path, day: str, warehouse: Path, before: date) -> dict:
    """A consent export and an erasure request delivered with the day, both about customers with
    email touches older than `before` (the start of the daily run's lookback window, so only the
    re-resolution of old touches can get them right):

    - consent: a customer whose only email-granting subject granted before their email touches
      withdraws it one second after the grant, so those old touches lose their consent;
    - erasure: another such customer asks to be erased (through a subject of their consent
      events), so every touch of theirs must leave the touch stream.
    Returns the two customer ids.
    """
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        picks = con.execute(
            """
            with subjects as (
                select events.consent_event_id, events.channel, events.is_granted,
                    events.occurred_at, stitched.customer_id,
                    events.subject_type || ':' || events.subject_hash as subject_key
                from staging.stg_consent__events as events
                inner join intermediate.int_customers_stitched as stitched
                    on stitched.identifier_key = events.subject_type || ':' || events.subject_hash
                where not stitched.is_erased
            ),
            email_grants as (
                select customer_id, min(consent_event_id) as consent_event_id,
                    min(occurred_at) as granted_at
                from subjects
                where channel = 'email' and is_granted and subject_key like 'email:%'
                group by customer_id
                having count(distinct subject_key) = 1 and count(*) = 1
            ),
            old_touches as (
                select customer_id, min(occurred_at) as first_at
                from marts.touchpoints
                where channel = 'email' and had_consent and occurred_at < ?
                group by customer_id
            )
            select email_grants.customer_id, email_grants.consent_event_id
            from email_grants
            inner join old_touches
                on email_grants.customer_id = old_touches.customer_id
                and email_grants.granted_at < old_touches.first_at
            order by email_grants.customer_id
            limit 2
            """,
            [datetime.combine(before, datetime.min.time())],
        ).fetchall()
    finally:
        con.close()
    assert len(picks) == 2, picks
    (withdrawn_customer, withdrawn_event), (erased_customer, erased_event) = picks
    consent = landing / "consent"
    with sorted(consent.glob("consent_*.csv"))[0].open(newline="", encoding="utf-8") as handle:
        events = {row["event_id"]: row for row in csv.DictReader(handle)}
    grant, erased_subject = events[withdrawn_event], events[erased_event]
    granted_at = datetime.strptime(grant["occurred_at"], "%Y-%m-%dT%H:%M:%SZ")
    withdrawal = {
        **grant,
        "event_id": "CE900000001",
        "occurred_at": (granted_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "withdrawn",
    }
    with (consent / f"consent_{day}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(grant))
        writer.writeheader()
        writer.writerow(withdrawal)
    requests = landing / "erasure_requests"
    noon = datetime.strptime(day, "%Y%m%d").replace(hour=12)
    with (requests / f"erasure_requests_{day}.csv").open("w", newline="", encoding="utf-8") as h:
        writer = csv.DictWriter(
            h, fieldnames=["request_id", "requested_at", "subject_type", "subject_value"]
        )
        writer.writeheader()
        writer.writerow(
            {
                "request_id": "ER900001",
                "requested_at": noon.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "subject_type": erased_subject["subject_type"],
                "subject_value": erased_subject["subject_value"],
            }
        )
    return {"withdrawn": withdrawn_customer, "erased": erased_customer}


def write_order_cancellation(landing: Path, day: str, warehouse: Path) -> tuple[str, str]:
    """A Shopify orders export delivered with the day that cancels one old order: the order that
    began or ended a customer's latest dormant spell (int_customer_returns_latest: the last
    activity before it or the return), of a customer with no activity in the last week before
    the day, so no touch of the day names them. The order
    leaves int_conversions_unioned (cancelled orders never converted) and only the conversions'
    comparison (macro customer_changes_prepare: new, gone or changed conversions) can find the
    customer whose return it was. Returns (customer id, order id).
    """
    import duckdb

    first_day = datetime.strptime(day, "%Y%m%d") - timedelta(days=7)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        picks = con.execute(
            """
            select returns.customer_id, conversions.source_order_id
            from intermediate.int_customer_returns_latest as returns
            inner join intermediate.int_conversions_unioned as conversions
                on returns.customer_id = conversions.customer_id
                and conversions.converted_at in (returns.dormant_since_at, returns.reactivated_at)
            inner join intermediate.int_customer_activities_summarized as activities
                on returns.customer_id = activities.customer_id
            where conversions.source = 'shopify' and activities.last_active_at < ?
            order by returns.customer_id
            limit 1
            """,
            [first_day],
        ).fetchall()
    finally:
        con.close()
    assert len(picks) == 1, picks
    customer_id, order_id = picks[0]
    orders = landing / "shop_orders"
    rows, fields = [], []
    for export in sorted(orders.glob("orders_export*.csv")):
        with export.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows += [row for row in reader if row["Id"].strip() == order_id]
    assert rows, order_id
    cancelled_at = datetime.strptime(day, "%Y%m%d").strftime("%Y-%m-%d 12:00:00 +0800")
    with (orders / f"orders_export_cancelled_{day}.csv").open(
        "w", newline="", encoding="utf-8"
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows({**row, "Cancelled at": cancelled_at} for row in rows)
    return customer_id, order_id


def write_late_sends(
    landing: Path, day: str, warehouse: Path, window_start: date, others: set[str]
) -> dict[str, str]:
    """A SendGrid webhook delivered with the day holding late sends ('processed' events of new
    messages): to three customers (none of `others`, none active in the two days before the
    day) whose latest return (int_customer_returns_latest) falls inside the lookback window, one
    second before that return, so each becomes the latest message sent before it. A send is no
    activity, so int_customer_activities_summarized names such a customer only when the day
    brought them an activity too; int_customer_channel_responses (email touches) always does.
    Returns {customer id: sg_event_id}.
    """
    import duckdb

    recent = datetime.strptime(day, "%Y%m%d") - timedelta(days=2)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        picks = con.execute(
            """
            with returns as (
                select returns.*
                from intermediate.int_customer_returns_latest as returns
                inner join intermediate.int_customer_activities_summarized as activities
                    on returns.customer_id = activities.customer_id
                where returns.reactivated_at >= ? and activities.last_active_at < ?
                    and coalesce(returns.reactivation_sent_at, returns.dormant_since_at)
                        < returns.reactivated_at - interval 2 second
            ),
            sends as (
                select events.sendgrid_event_id, stitched.customer_id
                from staging.stg_sendgrid__events as events
                inner join intermediate.int_customers_stitched as stitched
                    on stitched.identifier_key = 'email:' || events.email_hash
                where events.event_type = 'processed' and not stitched.is_erased
            )
            select returns.customer_id, min(sends.sendgrid_event_id),
                cast(floor(epoch(returns.reactivated_at)) as bigint) - 1
            from returns
            inner join sends
                on returns.customer_id = sends.customer_id
            group by returns.customer_id, returns.reactivated_at
            order by returns.customer_id
            """,
            [datetime.combine(window_start + timedelta(days=1), datetime.min.time()), recent],
        ).fetchall()
    finally:
        con.close()
    picks = [pick for pick in picks if pick[0] not in others][:3]
    assert picks, "no customer with a return inside the window has an email send"
    wanted = {event_id: (customer_id, timestamp) for customer_id, event_id, timestamp in picks}
    email = landing / "email_events"
    late = {}
    for path in sorted(email.glob("sendgrid_events_*.json")):
        for event in map(json.loads, path.read_text().splitlines()):
            if event["sg_event_id"] in wanted:
                customer_id, timestamp = wanted[event["sg_event_id"]]
                tag = f"LATESEND{len(late)}{day}"
                late[customer_id] = {
                    **event,
                    "sg_event_id": tag,
                    "sg_message_id": f"{tag}.filterdrecv-0-0-0",
                    "smtp-id": f"<{tag}@omni.tw>",
                    "timestamp": timestamp,
                }
    assert len(late) == len(picks), late
    (email / f"sendgrid_events_{day}_late_sends.json").write_text(
        "\n".join(json.dumps(event) for event in late.values()) + "\n"
    )
    return {customer_id: event["sg_event_id"] for customer_id, event in late.items()}
