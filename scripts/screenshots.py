"""Take the README's pictures (docs/images/*.png) from the browser journeys' steps.

Run by ``scripts/screenshots`` in the newest-release environment: a real Home Assistant and the
simulator on free ports in a temporary directory, with fictitious phones and numbers only (the
simulator's), never a real key or number.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
import sys
import tempfile

import aiohttp
from playwright.sync_api import Page, expect, sync_playwright

from scripts.hass_harness import ROOT, Owner, Stack
from scripts.hass_ui import (
    choose_api_key,
    field,
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


async def _prepare(stack: Stack) -> Owner:
    async with aiohttp.ClientSession() as session:
        await stack.wait_until_up(session, 300)
        owner = await stack.onboard(session)
        for phone in PHONES:
            await stack.sim_control(session, "POST", "/_sim/phone", phone)
        token = await stack.login(session, owner)
        await stack.add_api_key_entry(session, token)
        await stack.connect_simulator_webhook(session, token)
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
        page.goto(f"{stack.ha_url}/config/integrations/integration/smsmobileapi")
        expect(page.get_by_text("Office phone").first).to_be_visible()
        _shoot(page, "integration-page")
        page.get_by_text("Kitchen phone").first.click()
        expect(page.get_by_text(re.compile(r"^\s*82\s*%\s*$")).first).to_be_visible()
        _shoot(page, "phone-device")
        page.goto(f"{stack.ha_url}/logbook")
        expect(page.get_by_text("The parcel has been delivered.").first).to_be_visible()
        _shoot(page, "logbook")
        browser.close()


def main() -> int:
    """Take the pictures."""
    with tempfile.TemporaryDirectory(prefix="ha-screenshots-") as tmp:
        config_dir = Path(tmp)
        with Stack(config_dir, output=config_dir / "console.log") as stack:
            owner = asyncio.run(_prepare(stack))
            take(stack, owner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
