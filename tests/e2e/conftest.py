"""One Home Assistant and the simulators for the session, Chromium, and the journeys' helpers.

The SMSMobileAPI simulator has two phones, CALLR's simulator its one account, and neither has
live activity, so that what the pages show is known. The stack is stopped, and every process with
it, however the session ends.
"""

import asyncio
from collections.abc import Callable, Coroutine, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
from homeassistant.const import __version__ as HA_VERSION  # noqa: N812
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
import pytest

from scripts.hass_harness import PROVIDER_SMSMOBILEAPI, EntryWebhook, Owner, Stack, free_port
from scripts.hass_ui import launch, log_in, new_context

PHONES = (
    {
        "sid": "kitchen-phone",
        "label": "Kitchen phone",
        "battery": 82,
        "phone_number": "+32470000001",
    },
    {"sid": "office-phone", "label": "Office phone", "battery": 45, "phone_number": "+32470000002"},
)


def run_async[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine in a thread of its own: Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pytest_report_header() -> str:
    """Say which Home Assistant and browser run."""
    return f"Home Assistant {HA_VERSION}; Debian's Chromium driven by Playwright"


class Hass:
    """The session's Home Assistant: the stack, its owner, and synchronous API helpers."""

    def __init__(self, stack: Stack, owner: Owner, token: str) -> None:
        """Wrap a ready stack."""
        self.stack = stack
        self.owner = owner
        self.token = token

    def run(self, call: Callable[[aiohttp.ClientSession], Any]) -> Any:  # noqa: ANN401
        """Run ``call(session)`` (a coroutine function) to completion."""

        async def go() -> Any:  # noqa: ANN401
            async with aiohttp.ClientSession() as session:
                return await call(session)

        return run_async(go())

    def api(self, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
        """Call Home Assistant's HTTP API as the owner."""
        return self.run(
            lambda s: self.stack.request(s, method, path, token=self.token, json_body=body)
        )

    def sim(self, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
        """Call a control route of the simulator."""
        return self.run(lambda s: self.stack.sim_control(s, method, path, body))

    def callr(self, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
        """Call a control route of CALLR's simulator."""
        return self.run(lambda s: self.stack.callr_control(s, method, path, body))

    def entries(self) -> list[dict[str, Any]]:
        """The integration's entries."""
        result: list[dict[str, Any]] = self.run(lambda s: self.stack.entries(s, self.token))
        return result

    def entry(self, entry_id: str) -> dict[str, Any]:
        """One entry of the integration, as the config entries API lists it."""
        (entry,) = [entry for entry in self.entries() if entry["entry_id"] == entry_id]
        return entry

    def entry_webhooks(self, provider: str | None = None) -> list[EntryWebhook]:
        """The entries (of one provider, or all) with their webhook URLs."""
        hooks: list[EntryWebhook] = self.run(lambda s: self.stack.entry_webhooks(s, self.token))
        return [hook for hook in hooks if provider in {None, hook.provider}]

    def delete_entries(self, provider: str | None = None) -> None:
        """Delete the entries (of one provider, or all)."""
        for hook in self.entry_webhooks(provider):
            self.api("DELETE", f"/api/config/config_entries/entry/{hook.entry_id}")

    def notify_entity(self, name: str) -> str | None:
        """The id of the notify entity with this name, if there is one."""
        return next(
            (
                state["entity_id"]
                for state in self.states("notify")
                if state["attributes"].get("friendly_name") == name
            ),
            None,
        )

    def states(self, domain: str) -> list[dict[str, Any]]:
        """The states of one domain."""
        return [
            s for s in self.api("GET", "/api/states") if s["entity_id"].startswith(f"{domain}.")
        ]


async def _start(stack: Stack) -> tuple[Owner, str]:
    async with aiohttp.ClientSession() as session:
        await stack.wait_until_up(session, 300)
        owner = await stack.onboard(session)
        token = await stack.login(session, owner)
        for phone in PHONES:
            await stack.sim_control(session, "POST", "/_sim/phone", phone)
    return owner, token


@pytest.fixture(scope="session")
def hass(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hass]:
    """Home Assistant and the simulator, onboarded, with the two phones and no entry yet."""
    config_dir = tmp_path_factory.mktemp("e2e")
    with Stack(config_dir, callr_port=free_port(), output=config_dir / "console.log") as stack:
        owner, token = run_async(_start(stack))
        yield Hass(stack, owner, token)


@pytest.fixture
def entry_id(hass: Hass) -> str:
    """An API-key entry bound to the simulator, its webhook connected (made if missing)."""
    if not hass.entry_webhooks(PROVIDER_SMSMOBILEAPI):
        hass.run(lambda s: hass.stack.add_api_key_entry(s, hass.token))
    hass.run(lambda s: hass.stack.connect_simulator_webhook(s, hass.token))
    (hook,) = hass.entry_webhooks(PROVIDER_SMSMOBILEAPI)
    assert hass.entry(hook.entry_id)["state"] == "loaded"
    return hook.entry_id


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the session."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def logged_in_state(browser: Browser, hass: Hass) -> Any:  # noqa: ANN401
    """The browser storage of a logged-in owner (one login through the login page)."""
    context = new_context(browser)
    page = context.new_page()
    log_in(page, hass.stack.ha_url, hass.owner)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def context(browser: Browser, logged_in_state: Any) -> Iterator[BrowserContext]:  # noqa: ANN401
    """A logged-in English browser profile for one test."""
    context = new_context(browser, storage_state=logged_in_state)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest, hass: Hass) -> Iterator[Page]:
    """A page of the logged-in profile; a screenshot is kept next to the log when a test fails."""
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(
            path=str(hass.stack.config_dir / f"{request.node.name}.png"), full_page=True
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item (the page fixture reads it)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
