"""Talk to Home Assistant by SMS or WhatsApp: allowed recipients' messages go to an Assist agent.

A recipient (subentry) with a ``conversation_agent`` may talk to that agent. Each text message it
sends, delivered once by the inbox (never by a second listener), goes to the agent, and the
agent's answer goes back to the same number on the same channel through the one sending path.

Nothing else reaches an agent: not another number, not an unverified message (a push that the
service did not confirm), not a late one (older than 15 minutes, or received while Home Assistant
was down), not the gateway's own numbers (so that two gateways cannot answer each other for
ever), and not more than ``conversation_max_replies`` messages per number and hour.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime, timedelta
import hashlib
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.importlib import async_import_module
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .api import Capability
from .const import (
    CONF_CONVERSATION_AGENT,
    CONF_CONVERSATION_MAX_REPLIES,
    CONF_NUMBER,
    CONF_SENDER,
    DEFAULT_CONVERSATION_MAX_REPLIES,
    DOMAIN,
    EVENT_CONVERSATION,
    LOGGER,
    SUBENTRY_RECIPIENT,
)
from .inbox import DeliveredMessage
from .phone_numbers import InvalidPhoneNumberError, to_e164
from .providers import sign_in_of
from .sending import (
    OutgoingMessage,
    async_check_outgoing,
    async_send_message,
    default_sender,
    failure,
)

if TYPE_CHECKING:
    from homeassistant.helpers import intent

    from .coordinator import SmsMobileApiConfigEntry

# A message older than this when it reaches us is not answered.
MAX_AGE: Final = timedelta(minutes=15)
AGENT_TIMEOUT: Final = 30  # seconds
MAX_ANSWER_LENGTH: Final = 1000
RATE_WINDOW: Final = timedelta(hours=1)
_ELLIPSIS: Final = "…"


class AgentFailedError(HomeAssistantError):
    """The conversation agent failed to answer."""


def shorten(text: str, limit: int = MAX_ANSWER_LENGTH) -> str:
    """The text, cut at a word boundary with an ellipsis when longer than ``limit``."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_ELLIPSIS)]
    if not text[len(cut)].isspace() and " " in cut:
        # The cut falls inside a word: drop that word.
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + _ELLIPSIS


class ConversationResponder:
    """Answer the allowed recipients of one entry with their Assist agent."""

    def __init__(self, hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
        """Answer for ``entry`` (its runtime data must be set)."""
        self._hass = hass
        self._entry = entry
        # When each number was answered, within the last hour; when it was last warned about.
        self._answered: dict[str, deque[datetime]] = {}
        self._warned: dict[str, datetime] = {}

    @callback
    def async_on_message(self, message: DeliveredMessage) -> None:
        """A text message was delivered: answer it when every rule allows."""
        if not self._has_agents():
            # No recipient talks to Assist (most entries): no number to read.
            return
        if (number := self._e164(message.number)) is None:
            return
        agent = self._agent_of(number)
        if agent is None or not self._may_answer(message, number):
            return
        now = dt_util.utcnow()
        answered = self._answered.setdefault(number, deque())
        while answered and now - answered[0] >= RATE_WINDOW:
            answered.popleft()
        if len(answered) >= self._max_replies():
            self._refuse_over_limit(message, number, now)
            return
        answered.append(now)
        self._entry.async_create_task(
            self._hass,
            self._async_answer(message, number, agent),
            f"{DOMAIN} conversation {self._entry.entry_id}",
        )

    def _may_answer(self, message: DeliveredMessage, number: str) -> bool:
        """The safety rules that do not depend on the agent."""
        too_old = dt_util.utcnow() - message.received_at > MAX_AGE
        return (
            message.verified
            and not message.delayed
            and not too_old
            and bool(message.text.strip())
            and number not in self._own_numbers()
        )

    def _has_agents(self) -> bool:
        """Whether any recipient of the entry may talk to an agent."""
        return any(
            subentry.subentry_type == SUBENTRY_RECIPIENT
            and subentry.data.get(CONF_CONVERSATION_AGENT)
            for subentry in self._entry.subentries.values()
        )

    def _agent_of(self, number: str) -> str | None:
        """The agent of the recipient with this number, if it has one."""
        for subentry in self._entry.subentries.values():
            if (
                subentry.subentry_type == SUBENTRY_RECIPIENT
                and subentry.data.get(CONF_NUMBER) == number
                and (agent := subentry.data.get(CONF_CONVERSATION_AGENT))
            ):
                return str(agent)
        return None

    def _own_numbers(self) -> set[str]:
        """The gateway's own numbers: its phones' and its sender's, in E.164."""
        numbers = [
            phone.phone_number
            for phone in self._entry.runtime_data.coordinator.data.phones.values()
            if phone.phone_number
        ]
        if sender := self._entry.options.get(CONF_SENDER):
            numbers.append(str(sender))
        return {e164 for number in numbers if (e164 := self._e164(number)) is not None}

    def _e164(self, number: str) -> str | None:
        try:
            return to_e164(number, self._hass.config.country)
        except InvalidPhoneNumberError:
            return None

    def _max_replies(self) -> int:
        return int(
            self._entry.options.get(CONF_CONVERSATION_MAX_REPLIES, DEFAULT_CONVERSATION_MAX_REPLIES)
        )

    def _refuse_over_limit(self, message: DeliveredMessage, number: str, now: datetime) -> None:
        warned = self._warned.get(number)
        if warned is None or now - warned >= RATE_WINDOW:
            self._warned[number] = now
            LOGGER.warning(
                "%s sent more than %s messages to Assist within an hour: not answered",
                number,
                self._max_replies(),
            )
        self._fire(message, number, None, None, rate_limited=True)

    async def _async_answer(self, message: DeliveredMessage, number: str, agent: str) -> None:
        """Ask the agent, send its answer (or an apology) back, and tell the bus."""
        conversation_id = self.conversation_id(number)
        try:
            async with asyncio.timeout(AGENT_TIMEOUT):
                speech, conversation_id = await self._async_converse(
                    message, agent, conversation_id
                )
        except TimeoutError:
            LOGGER.warning(
                "The conversation agent %s did not answer within %s s", agent, AGENT_TIMEOUT
            )
            speech = await self._async_apology()
        except Exception as err:  # noqa: BLE001 - any agent failure becomes an apology
            LOGGER.warning("The conversation agent %s failed: %s", agent, err)
            speech = await self._async_apology()
        answer = shorten(speech)
        if answer:
            await self._async_send(message, number, answer)
        self._fire(message, number, answer or None, conversation_id, rate_limited=False)

    async def _async_converse(
        self, message: DeliveredMessage, agent: str, conversation_id: str
    ) -> tuple[str, str]:
        # Imported (and set up) at the first conversation, off the event loop: most entries
        # never have one, and the intent helpers alone cost more to import than this integration.
        conversation: Any = await async_import_module(
            self._hass, "homeassistant.components.conversation"
        )
        intents: Any = await async_import_module(self._hass, "homeassistant.helpers.intent")
        if "conversation" not in self._hass.config.components:
            await async_setup_component(self._hass, "conversation", {})
        result = await conversation.async_converse(
            self._hass,
            message.text,
            conversation_id,
            message.context,
            language=self._hass.config.language,
            agent_id=agent,
        )
        response: intent.IntentResponse = result.response
        if (
            response.response_type is intents.IntentResponseType.ERROR
            and response.error_code is intents.IntentResponseErrorCode.UNKNOWN
        ):
            # The agent failed (its exception became this text): not an answer to send.
            raise AgentFailedError(response.speech.get("plain", {}).get("speech", ""))
        speech = response.speech.get("plain", {}).get("speech", "")
        return str(speech), str(result.conversation_id or conversation_id)

    async def _async_send(self, message: DeliveredMessage, number: str, answer: str) -> None:
        entry = self._entry
        phones = entry.runtime_data.coordinator.data.phones
        outgoing = OutgoingMessage(
            text=answer,
            channel=message.channel,
            # Answered from the phone that received the message, when it is still there.
            phone_id=message.phone_id
            if message.phone_id in phones
            and Capability.PHONES in entry.runtime_data.client.capabilities
            else None,
            sender=default_sender(entry),
        )
        try:
            async_check_outgoing(entry, outgoing)
            outcomes = await async_send_message(self._hass, entry, [number], outgoing)
        except HomeAssistantError as err:
            LOGGER.warning("Could not send Assist's answer to %s: %s", number, err)
            return
        if (error := failure(outcomes)) is not None:
            LOGGER.warning("Could not send Assist's answer to %s: %s", number, error)

    async def _async_apology(self) -> str:
        language = self._hass.config.language
        translations = await async_get_translations(self._hass, language, "exceptions", [DOMAIN])
        key = f"component.{DOMAIN}.exceptions.conversation_apology.message"
        return translations.get(key, "Sorry, I cannot answer right now. Please try again later.")

    def conversation_id(self, number: str) -> str:
        """One conversation per entry and number, so a follow-up keeps its context."""
        digest = hashlib.sha256(f"{self._entry.entry_id}:{number}".encode()).hexdigest()[:20]
        return f"{DOMAIN}-{digest}"

    def _fire(
        self,
        message: DeliveredMessage,
        number: str,
        response: str | None,
        conversation_id: str | None,
        *,
        rate_limited: bool,
    ) -> None:
        self._hass.bus.async_fire(
            EVENT_CONVERSATION,
            {
                "config_entry_id": self._entry.entry_id,
                "provider": sign_in_of(self._entry.data).provider,
                "number": number,
                "name": self._name_of(number),
                "request": message.text,
                "response": response,
                "conversation_id": conversation_id,
                "channel": message.channel.value,
                "rate_limited": rate_limited,
            },
            context=message.context,
        )

    def _name_of(self, number: str) -> str | None:
        for subentry in self._entry.subentries.values():
            if subentry.data.get(CONF_NUMBER) == number:
                return subentry.title or subentry.data.get(CONF_NAME)
        return None
