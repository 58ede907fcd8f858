"""The journeys a user makes, in Chromium, asserting what the pages show (issue 14, 1 to 6).

They share one Home Assistant: journey 1 creates the entry through the UI and removes it, the
others start from an entry made through the API (the ``entry_id`` fixture).
"""

import re
import time
import uuid

from playwright.sync_api import Browser, Page, expect
import pytest

from scripts.hass_ui import (
    choose_api_key,
    close_dialog,
    field,
    fill_api_key_form,
    log_in,
    new_context,
    open_add_integration,
    open_more_info,
    submit,
    translations,
)
from tests.e2e.conftest import PHONES, Hass

EN = translations("en")
FR = translations("fr")


def _wait_until(predicate: object, seconds: float = 15) -> None:
    """Poll an HTTP-side condition (the page side waits with Playwright's expect)."""
    assert callable(predicate)
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_1_log_in_and_add_the_integration(browser: Browser, hass: Hass) -> None:
    """Log in; a wrong key: translated error, no entry; the right key: entry and webhook URL."""
    for entry in hass.entries():  # start from no entry
        hass.api("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
    context = new_context(browser)
    page = context.new_page()
    log_in(page, hass.stack.ha_url, hass.owner)
    open_add_integration(page, hass.stack.ha_url)
    choose_api_key(page)
    fill_api_key_form(page, "not-the-key", hass.stack.sim_url)
    expect(page.get_by_text(EN["config"]["error"]["invalid_auth"])).to_be_visible()
    assert hass.entries() == []
    fill_api_key_form(page, hass.stack.api_key, hass.stack.sim_url)
    expect(page.get_by_text(re.compile(r"/api/webhook/[A-Za-z0-9_-]+")).first).to_be_visible()
    (entry,) = hass.entries()
    assert entry["domain"] == "smsmobileapi"
    context.close()
    hass.api("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")


def test_2_integration_page_lists_the_phones_and_their_battery(
    page: Page, hass: Hass, entry_id: str
) -> None:
    """The integration page lists both phones; a phone's page shows the simulator's battery."""
    page.goto(f"{hass.stack.ha_url}/config/integrations/integration/smsmobileapi")
    for phone in PHONES:
        expect(page.get_by_text(str(phone["label"])).first).to_be_visible()
    page.get_by_text("Kitchen phone").first.click()
    expect(page).to_have_url(re.compile(r"/config/devices/device/"))
    expect(page.get_by_text(re.compile(r"^\s*82\s*%\s*$")).first).to_be_visible()


@pytest.mark.xfail(
    strict=True,
    reason="the more-info dialog's send control is not found yet: the text is typed but not sent",
)
def test_3_add_a_recipient_and_send_from_its_dialog(page: Page, hass: Hass, entry_id: str) -> None:
    """Add recipient makes a notify entity; its dialog sends exactly that text to that number."""
    recipient = EN["config_subentries"]["recipient"]
    page.goto(f"{hass.stack.ha_url}/config/integrations/integration/smsmobileapi")
    page.get_by_role("button", name=recipient["initiate_flow"]["user"]).first.click()
    fields = recipient["step"]["user"]["data"]
    field(page, fields["name"]).fill("Alice")
    field(page, fields["number"]).fill("+32470112233")
    submit(page)
    _wait_until(lambda: any("alice" in s["entity_id"] for s in hass.states("notify")))
    (entity,) = [s for s in hass.states("notify") if "alice" in s["entity_id"]]
    close_dialog(page)
    text = f"Hello from the browser {uuid.uuid4().hex[:8]}"
    open_more_info(page, entity["entity_id"])
    message = page.get_by_role("textbox").last
    message.fill(text)
    message.press("Enter")
    _wait_until(lambda: any(row["message"] == text for row in hass.sim("GET", "/_sim/sent")))
    (row,) = [row for row in hass.sim("GET", "/_sim/sent") if row["message"] == text]
    assert row["recipients"] == "+32470112233"


def test_4_a_pushed_sms_shows_in_the_event_entity_and_the_logbook(
    page: Page, hass: Hass, entry_id: str
) -> None:
    """The simulator pushes an SMS: within seconds an SMS event entity and the logbook show it."""
    text = f"Parcel at the door {uuid.uuid4().hex[:6]}"
    before = {s["entity_id"]: s["state"] for s in hass.states("event")}
    hass.sim(
        "POST", "/_sim/sms", {"number": "+32478445566", "message": text, "sid": "kitchen-phone"}
    )

    def event_changed() -> bool:
        now = {s["entity_id"]: s["state"] for s in hass.states("event")}
        return any(state != before.get(entity) for entity, state in now.items())

    _wait_until(event_changed, 10)
    page.goto(f"{hass.stack.ha_url}/logbook")
    expect(page.get_by_text(re.compile(re.escape(text))).first).to_be_visible(timeout=10_000)


def test_5_a_rotated_key_asks_for_reauthentication(page: Page, hass: Hass, entry_id: str) -> None:
    """A rotated key: the UI asks to sign in again; the new key brings the entities back."""
    new_key = f"rotated-{uuid.uuid4().hex[:8]}"
    hass.sim("POST", "/_sim/api_key", {"new_api_key": new_key})
    hass.api("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
    _wait_until(lambda: hass.entries()[0]["state"] == "setup_error")
    page.goto(f"{hass.stack.ha_url}/config/integrations/dashboard")
    page.get_by_role(
        "button", name=re.compile(r"re-?(configure|authenticate)", re.IGNORECASE)
    ).first.click()
    field(page, EN["config"]["step"]["api_key"]["data"]["api_key"]).fill(new_key)
    submit(page)
    _wait_until(lambda: hass.entries()[0]["state"] == "loaded", 30)
    battery = [s for s in hass.states("sensor") if "kitchen_phone_battery" in s["entity_id"]]
    assert [s["state"] for s in battery] == ["82"]
    hass.stack.api_key = new_key


def test_6_in_french_the_set_up_and_its_errors_are_french(browser: Browser, hass: Hass) -> None:
    """With the browser's language French, the set-up dialog and its error are in French."""
    context = new_context(browser, locale="fr-FR")
    page = context.new_page()
    log_in(page, hass.stack.ha_url, hass.owner)
    open_add_integration(page, hass.stack.ha_url, "fr")
    expect(page.get_by_text(FR["config"]["step"]["user"]["title"])).to_be_visible()
    choose_api_key(page, "fr")
    expect(page.get_by_text(FR["config"]["step"]["api_key"]["title"])).to_be_visible()
    fill_api_key_form(page, "pas-la-cle", hass.stack.sim_url, "fr")
    expect(page.get_by_text(FR["config"]["error"]["invalid_auth"])).to_be_visible()
    context.close()
