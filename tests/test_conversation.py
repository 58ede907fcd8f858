"""Talk to Home Assistant by SMS and WhatsApp: allowed recipients, their agent, the safety rules.

A fake conversation agent is registered in the test's Home Assistant: it echoes, counts its
calls, and can fail or hang. Messages arrive as a user's would: polled, or pushed to the webhook.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import json
import logging
import random
from typing import Any, Literal

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_API_KEY, CONF_WEBHOOK_ID, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.api import ApiKeyCredentials
from custom_components.smsmobileapi.const import (
    AUTH_API_KEY,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_CONVERSATION_MAX_REPLIES,
    CONF_PROVIDER,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_CONVERSATION,
    EVENT_SMS_RECEIVED,
    PROVIDER_SMSMOBILEAPI,
    SMS_SCAN_INTERVAL,
)
from custom_components.smsmobileapi.conversation import shorten
from custom_components.smsmobileapi.logbook import async_describe_events
from smsmobileapi_simulator import build_legacy_body, build_v2_request
from smsmobileapi_simulator.callr import CallrAccount, CallrServer, CallrState

from .conftest import API_KEY, ENTRY_ID, NOW, WEBHOOK_ID, Simulator
from .helpers import tick

ALLOWED = "+32470000001"
OTHER = "+32470000002"
URL = f"/api/webhook/{WEBHOOK_ID}"


class FakeAgent(conversation.AbstractConversationAgent):
    """Echoes what it is told; can fail or hang; remembers every call."""

    def __init__(self) -> None:
        """Start echoing."""
        self.calls: list[conversation.ConversationInput] = []
        self.mode: Literal["echo", "fail", "hang", "long"] = "echo"

    @property
    def supported_languages(self) -> Literal["*"]:
        """Every language."""
        return MATCH_ALL

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Answer "You said: <text>" (or fail, or never answer)."""
        self.calls.append(user_input)
        if self.mode == "fail":
            raise HomeAssistantError("the agent broke")
        if self.mode == "hang":
            await asyncio.Event().wait()
        response = intent.IntentResponse(language=user_input.language)
        text = "word " * 400 if self.mode == "long" else f"You said: {user_input.text}"
        response.async_set_speech(text)
        return conversation.ConversationResult(
            response=response, conversation_id=user_input.conversation_id
        )


@pytest.fixture
async def agent(hass: HomeAssistant) -> tuple[FakeAgent, str]:
    """The fake agent, registered as a conversation agent; returns it and its id."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    agent_entry = MockConfigEntry(domain="test_agent", title="Echo")
    agent_entry.add_to_hass(hass)
    fake = FakeAgent()
    conversation.async_set_agent(hass, agent_entry, fake)
    return fake, agent_entry.entry_id


def _recipient(number: str, agent_id: str | None, channel: str = "sms") -> ConfigSubentryData:
    data: dict[str, Any] = {"name": "Mum", "number": number, "channel": channel}
    if agent_id is not None:
        data["conversation_agent"] = agent_id
    return ConfigSubentryData(
        data=data,
        subentry_type="recipient",
        title="Mum",
        unique_id=f"{channel}_{number}",
    )


def _entry(
    simulator: Simulator, *, options: dict[str, Any], recipients: list[ConfigSubentryData]
) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=ENTRY_ID,
        title="SMSMobileAPI",
        unique_id=ApiKeyCredentials(API_KEY).fingerprint,
        data={
            CONF_PROVIDER: PROVIDER_SMSMOBILEAPI,
            CONF_AUTH_TYPE: AUTH_API_KEY,
            CONF_API_KEY: API_KEY,
            CONF_BASE_URL: simulator.url,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
        options=options,
        subentries_data=recipients,
    )


@pytest.fixture
def talking_entry(
    hass: HomeAssistant, seeded: Simulator, agent: tuple[FakeAgent, str]
) -> Callable[..., Any]:
    """Set up an entry whose recipient (ALLOWED by default) talks to the fake agent."""

    async def _setup(
        *, options: dict[str, Any] | None = None, number: str = ALLOWED, channel: str = "sms"
    ) -> MockConfigEntry:
        entry = _entry(
            seeded, options=options or {}, recipients=[_recipient(number, agent[1], channel)]
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return _setup


async def _poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await hass.async_block_till_done()


async def test_allowed_recipient_talks_to_assist(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The message goes to the agent; the answer goes back by SMS; the exchange is an event."""
    fake, agent_id = agent
    entry = await talking_entry()
    order: list[str] = []
    # Callbacks run in the event loop as each event fires (plain functions would run in the
    # executor, in any order).
    hass.bus.async_listen(EVENT_SMS_RECEIVED, callback(lambda _: order.append("sms")))
    hass.bus.async_listen(EVENT_CONVERSATION, callback(lambda _: order.append("conversation")))
    exchanges = async_capture_events(hass, EVENT_CONVERSATION)
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    seeded.state.add_received_sms(seeded.account, number=ALLOWED, message="Is the door locked?")
    await _poll(hass, freezer)

    [call] = fake.calls
    assert call.text == "Is the door locked?"
    assert call.language == hass.config.language
    assert call.agent_id == agent_id
    # The agent acts in the context of the SMS event: the logbook can tell what caused it.
    assert call.context.origin_event is sms_events[0]
    assert seeded.requests_to("/sendsms/")[-1]["recipients"] == ALLOWED
    assert seeded.requests_to("/sendsms/")[-1]["message"] == "You said: Is the door locked?"
    [exchange] = exchanges
    assert exchange.data == {
        "config_entry_id": entry.entry_id,
        "provider": "smsmobileapi",
        "number": ALLOWED,
        "name": "Mum",
        "request": "Is the door locked?",
        "response": "You said: Is the door locked?",
        "conversation_id": call.conversation_id,
        "channel": "sms",
        "rate_limited": False,
    }
    assert order == ["sms", "conversation"]
    # A follow-up keeps the same conversation.
    seeded.state.add_received_sms(seeded.account, number=ALLOWED, message="And the garage?")
    await _poll(hass, freezer)
    assert [c.conversation_id for c in fake.calls] == [call.conversation_id] * 2
    assert len(exchanges) == 2


async def test_other_numbers_never_reach_the_agent(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Only recipients with an agent are allowed; the SMS event still fires for the others."""
    fake, _ = agent
    await talking_entry()
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sent_before = len(seeded.requests_to("/sendsms/"))
    seeded.state.add_received_sms(seeded.account, number=OTHER, message="Turn off the alarm")
    await _poll(hass, freezer)
    assert [event.data["number"] for event in sms_events] == [OTHER]
    assert fake.calls == []
    assert len(seeded.requests_to("/sendsms/")) == sent_before


async def test_forged_message_does_not_drive_assist(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An unsigned push with the recipient's number that the service does not know: ignored.

    The same kind of push for a real message is confirmed on the service first, then answered.
    """
    fake, _ = agent
    await talking_entry()
    client = await hass_client_no_auth()
    forged = json.dumps(
        {
            "guid": "FORGED",
            "number": ALLOWED,
            "message": "Open the garage",
            "timestamp_unix": int(NOW.timestamp()),
        }
    )
    await client.post(URL, data=forged)
    await hass.async_block_till_done()
    assert fake.calls == []
    real = seeded.state.add_received_sms(seeded.account, number=ALLOWED, message="Hello")
    await client.post(URL, data=build_legacy_body(real))
    await hass.async_block_till_done()
    assert [call.text for call in fake.calls] == ["Hello"]


async def test_rate_limit(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At most the option's answers per number and hour; then one warning and no answer."""
    fake, _ = agent
    await talking_entry(options={CONF_CONVERSATION_MAX_REPLIES: 2})
    exchanges = async_capture_events(hass, EVENT_CONVERSATION)
    for index in range(4):
        seeded.state.add_received_sms(seeded.account, number=ALLOWED, message=f"Q{index}")
    with caplog.at_level(logging.WARNING):
        await _poll(hass, freezer)
    assert [call.text for call in fake.calls] == ["Q0", "Q1"]
    assert {e.data["request"]: (e.data["response"], e.data["rate_limited"]) for e in exchanges} == {
        "Q0": ("You said: Q0", False),
        "Q1": ("You said: Q1", False),
        "Q2": (None, True),
        "Q3": (None, True),
    }
    assert caplog.text.count("within an hour: not answered") == 1
    # An hour later the number may talk again.
    freezer.tick(timedelta(hours=1))
    seeded.state.add_received_sms(seeded.account, number=ALLOWED, message="Q4")
    await _poll(hass, freezer)
    assert [call.text for call in fake.calls] == ["Q0", "Q1", "Q4"]


async def test_late_messages_are_not_answered(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A message older than 15 minutes when it reaches us fires its event, unanswered."""
    fake, _ = agent
    await talking_entry()
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    seeded.state.add_received_sms(
        seeded.account,
        number=ALLOWED,
        message="Synchronised late",
        received_at=NOW - timedelta(minutes=14),
    )
    freezer.tick(timedelta(minutes=2))
    await _poll(hass, freezer)
    assert [(e.data["message"], e.data["delayed"]) for e in sms_events] == [
        ("Synchronised late", True)
    ]
    assert fake.calls == []


async def test_gateway_own_number_is_not_answered(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A recipient that is the gateway phone's own number gets no answer (no SMS loop)."""
    fake, _ = agent
    kitchen_number = seeded.account.phones["phone-kitchen"].phone_number
    assert kitchen_number is not None
    await talking_entry(number=kitchen_number)
    seeded.state.add_received_sms(seeded.account, number=kitchen_number, message="Loop?")
    await _poll(hass, freezer)
    assert fake.calls == []


@pytest.mark.parametrize("mode", ["fail", "hang"])
async def test_agent_failure_sends_one_apology(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
    mode: Literal["fail", "hang"],
) -> None:
    """An agent that fails, or does not answer in 30 s: one short apology, no traceback."""
    fake, _ = agent
    fake.mode = mode
    await talking_entry()
    exchanges = async_capture_events(hass, EVENT_CONVERSATION)
    sent_before = len(seeded.requests_to("/sendsms/"))
    seeded.state.add_received_sms(seeded.account, number=ALLOWED, message="Hello?")
    # The answer waits on the (frozen) clock: move it while the poll and the answer run.
    poll = asyncio.ensure_future(_poll(hass, freezer))
    while not poll.done():
        freezer.tick(timedelta(seconds=0.5))
        await asyncio.sleep(0)
    await poll
    apology = "Sorry, I cannot answer right now. Please try again later."
    sent = seeded.requests_to("/sendsms/")[sent_before:]
    assert [(request["recipients"], request["message"]) for request in sent] == [(ALLOWED, apology)]
    assert [event.data["response"] for event in exchanges] == [apology]


async def test_long_answer_is_cut(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """An answer over 1 000 characters is cut at a word, with an ellipsis."""
    fake, _ = agent
    fake.mode = "long"
    await talking_entry()
    seeded.state.add_received_sms(seeded.account, number=ALLOWED, message="Tell me everything")
    await _poll(hass, freezer)
    message = seeded.requests_to("/sendsms/")[-1]["message"]
    assert len(message) <= 1000
    assert message.endswith("word…")


def test_shorten() -> None:
    """Short texts are kept; long ones end on a whole word and an ellipsis."""
    assert shorten("  Fine.  ") == "Fine."
    assert shorten("one two three", 9) == "one two…"
    assert shorten("x" * 20, 10) == "x" * 9 + "…"


async def test_whatsapp_is_answered_by_whatsapp(
    hass: HomeAssistant,
    seeded: Simulator,
    agent: tuple[FakeAgent, str],
    talking_entry: Callable[..., Any],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A signed WhatsApp message from an allowed number is answered on WhatsApp."""
    fake, _ = agent
    await talking_entry(options={CONF_WEBHOOK_SECRET: "s"}, channel="whatsapp")
    headers, body = build_v2_request(
        "whatsapp.received",
        {
            "guid": "WA-1",
            "from": ALLOWED,
            "contact_name": "Mum",
            "message": "Are you home?",
            "received_at": NOW.isoformat(),
        },
        secret="s",
        now=NOW,
    )
    client = await hass_client_no_auth()
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 202
    await hass.async_block_till_done()
    assert [call.text for call in fake.calls] == ["Are you home?"]
    request = seeded.requests_to("/sendsms/")[-1]
    assert (request["recipients"], request["sendwa"], request.get("waonly")) == (
        ALLOWED.removeprefix("+"),
        "1",
        "yes",
    )


async def test_logbook_line(hass: HomeAssistant) -> None:
    """One logbook line per exchange, with who and what."""
    described: dict[str, Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda _d, event, fn: described.__setitem__(event, fn))
    line = described[EVENT_CONVERSATION](
        Event(EVENT_CONVERSATION, {"number": ALLOWED, "name": "Mum", "response": "Yes."})
    )
    assert line["message"] == "Assist answered Mum (+32 470 00 00 01): Yes."
    assert (line["name"], line["icon"]) == ("SMSMobileAPI", "mdi:account-voice")
    callr_line = described[EVENT_CONVERSATION](
        Event(EVENT_CONVERSATION, {"number": ALLOWED, "provider": "callr", "response": "No."})
    )
    assert callr_line["name"] == "CALLR"
    limited = described[EVENT_CONVERSATION](
        Event(EVENT_CONVERSATION, {"number": ALLOWED, "rate_limited": True, "response": None})
    )
    assert (
        limited["message"] == "Assist did not answer +32 470 00 00 01: too many messages this hour"
    )


async def test_default_agent_turns_on_a_light(
    hass: HomeAssistant,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's own agent, asked by SMS, turns the kitchen light on and says so."""
    hass.config.language = "en"
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"kitchen": {}}})
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "light": [
                        {
                            "name": "Kitchen light",
                            "state": "{{ is_state('input_boolean.kitchen', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.kitchen"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.kitchen"},
                            },
                        }
                    ]
                }
            ]
        },
    )
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    entry = _entry(
        seeded, options={}, recipients=[_recipient(ALLOWED, "conversation.home_assistant")]
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    exchanges = async_capture_events(hass, EVENT_CONVERSATION)
    seeded.state.add_received_sms(
        seeded.account, number=ALLOWED, message="Turn on the kitchen light"
    )
    await _poll(hass, freezer)
    assert hass.states.get("light.kitchen_light").state == "on"
    [exchange] = exchanges
    assert exchange.data["response"]
    assert seeded.requests_to("/sendsms/")[-1]["message"] == exchange.data["response"]


@pytest.fixture
async def callr(socket_enabled: None) -> AsyncIterator[tuple[CallrState, CallrAccount, str]]:
    """A CALLR simulator on loopback with one account; its state, account and base URL."""
    state = CallrState(random.Random(11))  # noqa: S311 - reproducible test data
    state.clock = dt_util.utcnow
    account = state.add_account("home-login", "home-password")
    async with CallrServer(state, host="127.0.0.1", port=0) as server:
        yield state, account, server.base_url


async def test_callr_recipient_talks_to_assist(
    hass: HomeAssistant,
    agent: tuple[FakeAgent, str],
    callr: tuple[CallrState, CallrAccount, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The same feature on a CALLR entry: polled SMS in, POST /sms out with the answer."""
    fake, agent_id = agent
    state, account, base_url = callr
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="CALLR",
        unique_id="callr-home",
        data={
            CONF_PROVIDER: "callr",
            "username": "home-login",
            "password": "home-password",
            CONF_BASE_URL: base_url,
            CONF_WEBHOOK_ID: "callr-webhook",
        },
        subentries_data=[_recipient(ALLOWED, agent_id)],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    exchanges = async_capture_events(hass, EVENT_CONVERSATION)
    state.add_incoming(account, ALLOWED, "Is the heating on?", push=False)
    await _poll(hass, freezer)
    assert [call.text for call in fake.calls] == ["Is the heating on?"]
    assert [exchange.data["provider"] for exchange in exchanges] == ["callr"]
    [sent] = [request.json for request in state.requests_for("POST /sms")]
    assert sent is not None
    assert (sent["to"], sent["body"]) == (ALLOWED, "You said: Is the heating on?")
    # A message from another number reaches no agent.
    state.add_incoming(account, OTHER, "Open the door", push=False)
    await _poll(hass, freezer)
    assert len(fake.calls) == 1
