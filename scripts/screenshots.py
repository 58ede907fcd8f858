"""Take the README's pictures (docs/images/*.png) from the browser journeys' steps.

Run by ``scripts/screenshots`` in the newest-release environment: a real Home Assistant and the
simulators (SMSMobileAPI's and CALLR's) on free ports in a temporary directory, with fictitious
phones and numbers only (the simulators'), never a real key or number.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
import sys
import tempfile

import aiohttp
from playwright.sync_api import Page, expect, sync_playwright

from scripts.hass_harness import ROOT, Owner, Stack, free_port
from scripts.hass_ui import (
    VIEWPORT,
    choose_api_key,
    field,
    fill_notify_message,
    launch,
    log_in,
    new_context,
    open_add_integration,
    translations,
)

IMAGES = ROOT / "docs" / "images"
PHONES = (
    {
        "sid": "kitchen-phone",
        "label": "Kitchen phone",
        "battery": 82,
        "phone_number": "+32470000001",
    },
    {"sid": "office-phone", "label": "Office phone", "battery": 45, "phone_number": "+32470000002"},
)
RECIPIENT = ("Alice", "+32470112233")
TALL = 1080


async def _prepare(stack: Stack) -> Owner:
    async with aiohttp.ClientSession() as session:
        await stack.wait_until_up(session, 300)
        owner = await stack.onboard(session)
        for phone in PHONES:
            await stack.sim_control(session, "POST", "/_sim/phone", phone)
        token = await stack.login(session, owner)
        entry_id = await stack.add_api_key_entry(session, token)
        await stack.connect_simulator_webhook(session, token)
        await stack.add_recipient(session, token, entry_id, *RECIPIENT)
        await stack.add_callr_entry(session, token)
        await stack.sim_control(
            session,
            "POST",
            "/_sim/sms",
            {
                "number": "+32478445566",
                "message": "The parcel has been delivered.",
                "sid": "kitchen-phone",
            },
        )
    return owner


def _shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(IMAGES / f"{name}.png"))
    print(f"docs/images/{name}.png")


def take(stack: Stack, owner: Owner) -> None:
    """Walk the journeys and save one picture per step."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    en = translations("en")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = new_context(browser).new_page()
        log_in(page, stack.ha_url, owner)
        open_add_integration(page, stack.ha_url)
        choose_api_key(page)
        expect(field(page, en["config"]["step"]["api_key"]["data"]["api_key"])).to_be_visible()
        _shoot(page, "setup-dialog")
        # Taller, so that both accounts and the recipient fit (the page scrolls inside itself).
        page.set_viewport_size({**VIEWPORT, "height": TALL})
        page.goto(f"{stack.ha_url}/config/integrations/integration/smsmobileapi")
        expect(page.get_by_text("Office phone").first).to_be_visible()
        expect(page.get_by_text("CALLR account").first).to_be_visible()
        expect(page.get_by_text(RECIPIENT[0]).first).to_be_visible()
        _shoot(page, "integration-page")
        page.set_viewport_size(VIEWPORT)
        page.get_by_text("Kitchen phone").first.click()
        expect(page.get_by_text(re.compile(r"^\s*82\s*%\s*$")).first).to_be_visible()
        _shoot(page, "phone-device")
        page.goto(f"{stack.ha_url}/logbook")
        expect(page.get_by_text("The parcel has been delivered.").first).to_be_visible()
        _shoot(page, "logbook")
        fill_notify_message(page, stack.ha_url, "notify.alice", "The garage door is still open.")
        _shoot(page, "send-message")
        browser.close()


def main() -> int:
    """Take the pictures."""
    with tempfile.TemporaryDirectory(prefix="ha-screenshots-") as tmp:
        config_dir = Path(tmp)
        with Stack(config_dir, callr_port=free_port(), output=config_dir / "console.log") as stack:
            owner = asyncio.run(_prepare(stack))
            take(stack, owner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
