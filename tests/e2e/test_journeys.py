"""The journeys a user makes, in Chromium, asserting what the pages show (issue 14, 1 to 7).

They share one Home Assistant: journey 1 creates the entry through the UI and removes it, journeys
2 to 5 start from an entry made through the API (the ``entry_id`` fixture), journey 7 sets up a
CALLR entry through the UI beside it.

Sending from the UI: Home Assistant's more-info dialog of a notify entity shows its state,
history and activity, but no message field (its frontend has no notify control, up to 2026.11
at least). A person sends to a notify entity with the Actions tool (Settings > Tools > Actions,
``notify.send_message``, the entity as target): journeys 3 and 7 do that.
"""

from datetime import UTC, datetime, timedelta
import re
import time
from urllib.parse import quote
import uuid

from playwright.sync_api import Browser, Page, expect

from scripts.hass_harness import PROVIDER_CALLR
from scripts.hass_ui import (
    add_recipient,
    choose_api_key,
    choose_sign_in,
    close_dialog,
    field,
    fill_api_key_form,
    fill_callr_form,
    fill_notify_message,
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


def test_3_add_a_recipient_and_send_to_it(page: Page, hass: Hass, entry_id: str) -> None:
    """Add recipient makes a notify entity; sending to it delivers exactly that text there."""
    number = "+32470112233"
    add_recipient(page, hass.stack.ha_url, hass.entry(entry_id)["title"], "Alice", number)
    _wait_until(lambda: hass.notify_entity("Alice") is not None)
    close_dialog(page)
    entity_id = hass.notify_entity("Alice")
    assert entity_id is not None
    # Its more-info dialog shows the recipient (and, in Home Assistant, no message field).
    open_more_info(page, entity_id)
    expect(page.get_by_role("dialog")).to_match_aria_snapshot("- paragraph: Alice")
    text = f"Hello from the browser {uuid.uuid4().hex[:8]}"
    fill_notify_message(page, hass.stack.ha_url, entity_id, text).click()

    def sent() -> list[dict[str, str]]:
        return [row for row in hass.sim("GET", "/_sim/sent") if row["message"] == text]

    _wait_until(lambda: bool(sent()))
    assert [row["recipients"] for row in sent()] == [number]


def test_4_a_pushed_sms_shows_in_the_event_entity_and_the_logbook(
    page: Page, hass: Hass, entry_id: str
) -> None:
    """The simulator pushes an SMS: within seconds an SMS event entity and the logbook show it."""
    text = f"Parcel at the door {uuid.uuid4().hex[:6]}"
    start = quote((datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    before = {s["entity_id"]: s["state"] for s in hass.states("event")}
    hass.sim(
        "POST", "/_sim/sms", {"number": "+32478445566", "message": text, "sid": "kitchen-phone"}
    )

    def event_changed() -> bool:
        now = {s["entity_id"]: s["state"] for s in hass.states("event")}
        return any(state != before.get(entity) for entity, state in now.items())

    _wait_until(event_changed, 10)

    def logged() -> bool:
        entries = hass.api("GET", f"/api/logbook/{start}")
        return any(text in str(entry.get("message", "")) for entry in entries)

    # Home Assistant's logbook has the line (once the recorder wrote it), then the page shows it.
    _wait_until(logged, 20)
    page.goto(f"{hass.stack.ha_url}/logbook")
    expect(page.get_by_text(re.compile(re.escape(text))).first).to_be_visible(timeout=10_000)


def test_5_a_rotated_key_asks_for_reauthentication(page: Page, hass: Hass, entry_id: str) -> None:
    """A rotated key: the UI asks to sign in again; the new key brings the entities back."""
    new_key = f"rotated-{uuid.uuid4().hex[:8]}"
    hass.sim("POST", "/_sim/api_key", {"new_api_key": new_key})
    hass.api("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
    _wait_until(lambda: hass.entry(entry_id)["state"] == "setup_error")
    page.goto(f"{hass.stack.ha_url}/config/integrations/dashboard")
    page.get_by_role(
        "button", name=re.compile(r"re-?(configure|authenticate)", re.IGNORECASE)
    ).first.click()
    field(page, EN["config"]["step"]["api_key"]["data"]["api_key"]).fill(new_key)
    submit(page)
    _wait_until(lambda: hass.entry(entry_id)["state"] == "loaded", 30)
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


def test_7_callr_set_up_and_send(page: Page, hass: Hass, entry_id: str) -> None:
    """CALLR beside SMSMobileAPI, set up and used from the UI.

    A wrong password is refused with the translated error and makes nothing; the right one makes
    the entry; its recipient's notify entity sends exactly that text to that number.
    """
    stack = hass.stack
    hass.delete_entries(PROVIDER_CALLR)  # start from the SMSMobileAPI entry only
    before = {entry["entry_id"] for entry in hass.entries()}
    open_add_integration(page, stack.ha_url)
    choose_sign_in(page, "callr")
    expect(page.get_by_text(EN["config"]["step"]["callr"]["title"])).to_be_visible()
    fill_callr_form(page, stack.callr_login, "not-the-password", stack.callr_url)
    expect(page.get_by_text(EN["config"]["error"]["invalid_auth"])).to_be_visible()
    assert {entry["entry_id"] for entry in hass.entries()} == before
    fill_callr_form(page, stack.callr_login, stack.callr_password, stack.callr_url)
    expect(page.get_by_text(re.compile(r"/api/webhook/[A-Za-z0-9_-]+")).first).to_be_visible()
    close_dialog(page)
    (hook,) = hass.entry_webhooks(PROVIDER_CALLR)
    _wait_until(lambda: hass.entry(hook.entry_id)["state"] == "loaded", 30)

    number = "+33612345670"
    add_recipient(page, stack.ha_url, hass.entry(hook.entry_id)["title"], "Bob", number)
    _wait_until(lambda: hass.notify_entity("Bob") is not None)
    close_dialog(page)
    entity_id = hass.notify_entity("Bob")
    assert entity_id is not None
    text = f"Hello through CALLR {uuid.uuid4().hex[:8]}"
    fill_notify_message(page, stack.ha_url, entity_id, text).click()

    def sent() -> list[dict[str, str]]:
        return [row for row in hass.callr("GET", "/_sim/sms?type=OUT") if row["text"] == text]

    _wait_until(lambda: bool(sent()))
    assert [row["to"] for row in sent()] == [number]
