"""Pushed items and trust: what came unsigned is confirmed on the service before it counts.

An attacker who knows the webhook URL can POST anything. Without a Webhook V2 secret, an SMS is
looked up on the service before its event fires: only then is it ``verified``.
"""

import asyncio
from datetime import timedelta
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    SMS_SCAN_INTERVAL,
)
from smsmobileapi_simulator import Fault, build_legacy_body, build_v2_request
from smsmobileapi_simulator.webhooks import call_event_data

from .conftest import ENTRY_ID, NOW, WEBHOOK_ID, Simulator
from .helpers import tick

URL = f"/api/webhook/{WEBHOOK_ID}"
UNSIGNED_ISSUE = f"unsigned_webhook_{ENTRY_ID}"


def _forged(guid: str, number: str, message: str) -> bytes:
    return json.dumps(
        {"guid": guid, "number": number, "message": message, "timestamp_unix": int(NOW.timestamp())}
    ).encode()


async def test_unsigned_sms_confirmed_on_the_service(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A legacy push of a real SMS is looked up, then fires once as verified."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    polls_before = len(seeded.requests_to("/getsms/"))
    client = await hass_client_no_auth()
    response = await client.post(URL, data=build_legacy_body(sms))
    assert response.status == 200
    await hass.async_block_till_done()
    assert [(e.data["guid"], e.data["verified"], e.data["source"]) for e in events] == [
        (sms.guid, True, "webhook")
    ]
    # One lookup, for the window around the pushed time.
    lookups = seeded.requests_to("/getsms/")[polls_before:]
    assert len(lookups) == 1
    assert int(lookups[0]["after_timestamp_unix"]) <= sms.timestamp
    assert ir.async_get(hass).async_get_issue(DOMAIN, UNSIGNED_ISSUE) is not None


async def test_forged_sms_is_unverified(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An SMS the service does not know fires once, marked unverified; polls add nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    body = _forged("FORGED-1", "+33892123456", "Call me back now")
    response = await client.post(URL, data=body)
    assert response.status == 200
    await client.post(URL, data=body)
    await hass.async_block_till_done()
    assert [(e.data["guid"], e.data["verified"], e.data["number_type"]) for e in events] == [
        ("FORGED-1", False, "premium_rate")
    ]


async def test_forged_copy_of_a_real_sms_fires_the_services_copy(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A push that reuses a real SMS's id with another number and text: the service's copy."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    client = await hass_client_no_auth()
    response = await client.post(URL, data=_forged(sms.guid, "+33892123456", "Send money"))
    assert response.status == 200
    await hass.async_block_till_done()
    assert [(e.data["number"], e.data["message"], e.data["verified"]) for e in events] == [
        ("+32470000002", "Hi", True)
    ]


async def test_lookup_failure_fires_unverified_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The service cannot be asked: the push fires unverified; the next poll adds nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    seeded.state.faults.add(Fault(kind="status", path="/getsms/", times=1))
    client = await hass_client_no_auth()
    await client.post(URL, data=build_legacy_body(sms))
    await hass.async_block_till_done()
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["guid"], e.data["verified"]) for e in events] == [(sms.guid, False)]


async def test_unsigned_v2_call_is_unverified(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a secret, a V2 call fires at once, unverified (the call logs have no id)."""
    events = async_capture_events(hass, EVENT_CALL)
    call = seeded.state.add_call(
        seeded.account, "missed", "+32470000008", at=NOW - timedelta(minutes=1)
    )
    headers, body = build_v2_request("call.missed", call_event_data(call), secret="x", now=NOW)
    headers = {key: value for key, value in headers.items() if "Signature" not in key}
    client = await hass_client_no_auth()
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 202
    await hass.async_block_till_done()
    assert [(e.data["number"], e.data["verified"]) for e in events] == [("+32470000008", False)]


async def test_secret_clears_the_unsigned_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The advice to sign deliveries goes away once a secret is set."""
    client = await hass_client_no_auth()
    await client.post(URL, data=_forged("X", "+32470000002", "x"))
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, UNSIGNED_ISSUE)
    assert issue is not None
    assert issue.translation_key == "unsigned_webhook"
    hass.config_entries.async_update_entry(loaded_entry, options={CONF_WEBHOOK_SECRET: "s"})
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, UNSIGNED_ISSUE) is None


async def test_a_burst_of_unsigned_pushes_shares_lookups(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Pushes that wait for a lookup together are confirmed by one request; each fires once.

    One lookup at a time: those pushed while it runs wait for the next one, together.
    """
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    real = [
        seeded.state.add_received_sms(seeded.account, number="+32470000002", message=f"Hi {i}")
        for i in range(12)
    ]
    bodies = [build_legacy_body(sms) for sms in real] + [
        _forged(f"FORGED-{i}", "+32470000009", "Open up") for i in range(3)
    ]
    lookups_before = len(seeded.requests_to("/getsms/"))
    client = await hass_client_no_auth()
    # Every push delivered twice, all at once.
    responses = await asyncio.gather(*(client.post(URL, data=body) for body in bodies * 2))
    assert {response.status for response in responses} == {200}
    await hass.async_block_till_done()
    fired = sorted((e.data["guid"], e.data["verified"]) for e in events)
    assert fired == sorted(
        [(sms.guid, True) for sms in real] + [(f"FORGED-{i}", False) for i in range(3)]
    )
    lookups = len(seeded.requests_to("/getsms/")) - lookups_before
    assert 1 <= lookups < len(bodies)
