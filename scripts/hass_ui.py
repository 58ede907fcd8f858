"""Drive Home Assistant's web UI in Chromium (Playwright), for the browser journeys and screenshots.

Chromium is Debian's package (``/usr/bin/chromium``, installed by ``scripts/setup``), never a
browser downloaded by Playwright. Locators use roles and translated labels: the integration's own
translations, Home Assistant's (``notify``'s action and fields) and its frontend's, so that they
survive a new display name ("SMSMobileAPI & CALLR"), a new menu option or a reworded button.

Home Assistant's dialogs put their content in a slot of a shadow-DOM ``<dialog>``: a locator
chained from ``get_by_role("dialog")`` does not reach it, so controls are found on the page by
names that are unique there.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import functools
import json
import os
from pathlib import Path
import re
import shutil
from typing import Any

import hass_frontend
import homeassistant.components
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
)

from scripts.hass_harness import DOMAIN, ROOT, Owner

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 860}
UI_TIMEOUT_MS = 20_000
TRANSLATIONS = ROOT / "custom_components" / DOMAIN / "translations"
SEARCH_NAME = "SMSMobileAPI"
MANIFEST = ROOT / "custom_components" / DOMAIN / "manifest.json"
DISPLAY_NAME: str = json.loads(MANIFEST.read_text())["name"]
"""The integration's name in the brand list ("SMSMobileAPI & CALLR")."""
FRONTEND_TRANSLATIONS = Path(hass_frontend.where()) / "static" / "translations"
CORE_COMPONENTS = Path(homeassistant.components.__file__).parent
ACTIONS_TOOL = "/config/tools/action"
"""Settings > Tools > Actions (Developer tools > Actions before 2026.11)."""


def chromium_path() -> str:
    """Debian's Chromium, or ``$CHROMIUM``."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise FileNotFoundError(f"no Chromium at {path}: run scripts/setup")
    return path


def launch(playwright: Playwright) -> Browser:
    """Start headless Chromium."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)


def translations(language: str) -> dict[str, Any]:
    """The integration's translations in one language."""
    data: dict[str, Any] = json.loads((TRANSLATIONS / f"{language}.json").read_text())
    return data


def core_translations(domain: str, language: str = "en") -> dict[str, Any]:
    """The translations of one of Home Assistant's own integrations (``notify``...)."""
    path = CORE_COMPONENTS / domain / "translations" / f"{language}.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@functools.cache
def _frontend_strings(language: str) -> dict[str, str]:
    """Every string of the frontend in one language (its files are split by panel)."""
    name = re.compile(rf"^{re.escape(language)}-[0-9a-f]{{32}}\.json$")
    strings: dict[str, str] = {}
    for path in sorted(FRONTEND_TRANSLATIONS.rglob("*.json")):
        if name.match(path.name):
            strings |= json.loads(path.read_text())
    if not strings:
        raise FileNotFoundError(f"no {language} translations in {FRONTEND_TRANSLATIONS}")
    return strings


def frontend_text(key: str, language: str = "en") -> str:
    """A string of Home Assistant's frontend, such as ``ui.common.submit``."""
    return _frontend_strings(language)[key]


def new_context(
    browser: Browser,
    *,
    locale: str = "en-US",
    storage_state: Any = None,  # noqa: ANN401
) -> BrowserContext:
    """A browser context (a fresh profile) with the suite's viewport and timeouts."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale, storage_state=storage_state)
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context


def log_in(page: Page, ha_url: str, owner: Owner) -> None:
    """Log in through Home Assistant's login page; returns on the default dashboard."""
    page.goto(f"{ha_url}/")
    # In any language: the first text field, then the password field; Enter logs in.
    page.get_by_role("textbox").first.fill(owner.username)
    password = page.locator("input[type=password]")
    password.fill(owner.password)
    password.press("Enter")
    page.wait_for_url(re.compile(r"/(home|lovelace)/"))
    # The sidebar is there once the frontend has its connection.
    expect(page.get_by_role("listbox").or_(page.locator("ha-sidebar")).first).to_be_visible()


def open_add_integration(page: Page, ha_url: str, language: str = "en") -> None:
    """Settings > Devices & services > Add integration > SMSMobileAPI: up to its first step."""
    page.goto(f"{ha_url}/config/integrations/dashboard")
    add = frontend_text("ui.panel.config.integrations.add_integration", language)
    page.get_by_role("button", name=add).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    # The dialog's brand search has the focus.
    expect(page.get_by_role("textbox")).to_have_count(2)
    page.keyboard.type(SEARCH_NAME)
    # The brand list's entry (the integrations page behind the dialog has cards of that name).
    page.get_by_role("button", name=DISPLAY_NAME, exact=True).click()


def choose_sign_in(page: Page, option: str, language: str = "en") -> None:
    """Pick an option of the set-up menu (``api_key``, ``oauth2``, ``callr``) by its label."""
    label = translations(language)["config"]["step"]["user"]["menu_options"][option]
    page.get_by_text(label).click()


def choose_api_key(page: Page, language: str = "en") -> None:
    """Pick the API-key option of the set-up menu, by its translated label."""
    choose_sign_in(page, "api_key", language)


def _fill_advanced_url(page: Page, step: dict[str, Any], base_url: str) -> None:
    """Fill the server URL of a step's Advanced section, opening the section if it is folded."""
    server = field(page, step["sections"]["advanced"]["data"]["base_url"])
    if not server.is_visible():
        page.get_by_text(step["sections"]["advanced"]["name"], exact=True).click()
    server.fill(base_url)


def fill_api_key_form(page: Page, api_key: str, base_url: str, language: str = "en") -> None:
    """Fill the API-key form, the server URL under its Advanced section, and submit it."""
    step = translations(language)["config"]["step"]["api_key"]
    field(page, step["data"]["api_key"]).fill(api_key)
    _fill_advanced_url(page, step, base_url)
    submit(page, language)


def fill_callr_form(
    page: Page, username: str, password: str, base_url: str, language: str = "en"
) -> None:
    """Fill the CALLR form (login, password, server URL under Advanced) and submit it."""
    step = translations(language)["config"]["step"]["callr"]
    field(page, step["data"]["username"]).fill(username)
    field(page, step["data"]["password"]).fill(password)
    _fill_advanced_url(page, step, base_url)
    submit(page, language)


def field(page: Page, label: str) -> Locator:
    """A text field by its label (a required one shows an asterisk after it)."""
    return page.get_by_role("textbox", name=re.compile(f"^{re.escape(label)}")).first


def submit(page: Page, language: str = "en") -> None:
    """Press the dialog's submit button."""
    name = frontend_text("ui.panel.config.integrations.config_flow.submit", language)
    page.get_by_role("button", name=re.compile(f"^{re.escape(name)}$", re.IGNORECASE)).click()


def add_recipient(page: Page, ha_url: str, entry_title: str, name: str, number: str) -> None:
    """Integration page > Add recipient (> the entry, when there are several): name, number.

    Leaves the flow's closing dialog open.
    """
    recipient = translations("en")["config_subentries"]["recipient"]
    page.goto(f"{ha_url}/config/integrations/integration/{DOMAIN}")
    page.get_by_role("button", name=recipient["initiate_flow"]["user"]).first.click()
    fields = recipient["step"]["user"]["data"]
    name_field = field(page, fields["name"])
    # With several entries, Home Assistant first asks which one the recipient belongs to.
    entry_choice = page.get_by_role("button", name=entry_title, exact=True)
    expect(name_field.or_(entry_choice).first).to_be_visible()
    if not name_field.is_visible():
        entry_choice.click()
    name_field.fill(name)
    field(page, fields["number"]).fill(number)
    submit(page)


def fill_notify_message(page: Page, ha_url: str, entity_id: str, message: str) -> Locator:
    """Settings > Tools > Actions, ``notify.send_message`` to one notify entity, with a message.

    Home Assistant's more-info dialog of a notify entity has no message field (its frontend has
    no notify control): this tool is where a person sends to a notify entity from the UI.
    Returns the "Perform action" button, not pressed yet.
    """
    send = core_translations("notify")["services"]["send_message"]
    page.goto(f"{ha_url}{ACTIONS_TOOL}?service=notify.send_message")
    expect(page.get_by_text(send["description"], exact=True)).to_be_visible()
    message_box = (
        page.locator("ha-settings-row")
        .filter(has=page.get_by_text(send["fields"]["message"]["name"], exact=True))
        .get_by_role("textbox")
    )
    # The message first: choosing a target draws the fields again, from the action's data.
    message_box.fill(message)
    page.get_by_role("button", name=frontend_text("ui.components.target-picker.add_target")).click()
    search = page.get_by_placeholder(frontend_text("ui.common.search")).last
    # The target picker searches entities, devices and areas: the entity id finds the entity.
    search.fill(entity_id)
    page.get_by_role("option").first.click()
    expect(search).to_be_hidden()
    expect(message_box).to_have_value(message)
    return page.get_by_role(
        "button", name=frontend_text("ui.panel.config.tools.tabs.actions.call_service")
    )


def open_more_info(page: Page, entity_id: str) -> None:
    """Open an entity's more-info dialog, as a click on it anywhere in the UI does."""
    page.evaluate(
        """(entityId) => document.querySelector("home-assistant").dispatchEvent(
            new CustomEvent(
                "hass-more-info", {detail: {entityId}, bubbles: true, composed: true}))""",
        entity_id,
    )
    expect(page.get_by_role("dialog").last).to_be_visible()


def close_dialog(page: Page, language: str = "en") -> None:
    """Close a finished flow's dialog with its Finish (or Close) button."""
    names = [
        frontend_text("ui.panel.config.integrations.config_flow.finish", language),
        frontend_text("ui.common.close", language),
    ]
    pattern = "|".join(re.escape(name) for name in names)
    page.get_by_role("button", name=re.compile(f"^({pattern})$", re.IGNORECASE)).last.click()
    expect(page.get_by_role("dialog")).to_have_count(0)


@contextlib.contextmanager
def screenshot_on_failure(page: Page, path: Path) -> Iterator[None]:
    """Keep a picture of the page when the block fails (for the failure report)."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path), full_page=True)
        raise
