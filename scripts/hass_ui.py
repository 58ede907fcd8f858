"""Drive Home Assistant's web UI in Chromium (Playwright), for the browser journeys and screenshots.

Chromium is Debian's package (``/usr/bin/chromium``, installed by ``scripts/setup``), never a
browser downloaded by Playwright. Locators use roles and the integration's own translations, so
that they survive a new display name ("SMSMobileAPI & CALLR") or a new menu option.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import json
import os
from pathlib import Path
import re
import shutil
from typing import Any

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
    add = {"en": "Add integration", "fr": "Ajouter une intégration"}[language]
    page.get_by_role("button", name=add).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    # The dialog's brand search has the focus.
    expect(page.get_by_role("textbox")).to_have_count(2)
    page.keyboard.type(SEARCH_NAME)
    page.get_by_text(SEARCH_NAME).last.click()


def choose_api_key(page: Page, language: str = "en") -> None:
    """Pick the API-key option of the set-up menu, by its translated label."""
    label = translations(language)["config"]["step"]["user"]["menu_options"]["api_key"]
    page.get_by_text(label).click()


def fill_api_key_form(page: Page, api_key: str, base_url: str, language: str = "en") -> None:
    """Fill the API-key form, the server URL under its Advanced section, and submit it."""
    step = translations(language)["config"]["step"]["api_key"]
    field(page, step["data"]["api_key"]).fill(api_key)
    server = field(page, step["sections"]["advanced"]["data"]["base_url"])
    if not server.is_visible():
        page.get_by_text(step["sections"]["advanced"]["name"], exact=True).click()
    server.fill(base_url)
    submit(page, language)


def field(page: Page, label: str) -> Locator:
    """A text field by its label (a required one shows an asterisk after it)."""
    return page.get_by_role("textbox", name=re.compile(f"^{re.escape(label)}")).first


def submit(page: Page, language: str = "en") -> None:
    """Press the dialog's submit button."""
    name = {"en": "Submit", "fr": "Valider"}[language]
    page.get_by_role("button", name=re.compile(f"^{name}$", re.IGNORECASE)).click()


def open_more_info(page: Page, entity_id: str) -> None:
    """Open an entity's more-info dialog, as a click on it anywhere in the UI does."""
    page.evaluate(
        """(entityId) => document.querySelector("home-assistant").dispatchEvent(
            new CustomEvent(
                "hass-more-info", {detail: {entityId}, bubbles: true, composed: true}))""",
        entity_id,
    )
    expect(page.get_by_role("dialog").last).to_be_visible()


def close_dialog(page: Page) -> None:
    """Close a finished flow's dialog with its Finish (or Close) button."""
    page.get_by_role(
        "button", name=re.compile(r"^(finish|close|terminer|fermer)$", re.IGNORECASE)
    ).last.click()
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
