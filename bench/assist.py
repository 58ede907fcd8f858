"""An Assist agent for the benchmarks, and what the conversation feature did with each message.

``EchoAgent`` is a conversation agent registered in the bench's Home Assistant: it answers every
text at once ("Echo: <text>") and remembers each text it was asked. The messages of a benchmark
carry unique texts, so the agent's calls and the ``smsmobileapi_conversation`` events tell which
messages were answered, which were refused for the rate limit, and whether any was answered
twice. ``Answers`` keeps that record and checks it against what was sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import time
from typing import Any, Literal

from homeassistant.components import conversation
from homeassistant.components.conversation.models import (
    AbstractConversationAgent,
    ConversationInput,
    ConversationResult,
)
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)

from custom_components.smsmobileapi.const import (
    EVENT_CONVERSATION,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
)

from .harness import Env, recipient

AGENT_DOMAIN = "bench_agent"


class EchoAgent(AbstractConversationAgent):
    """Answers "Echo: <text>" at once; remembers every text it was asked, and when."""

    def __init__(self) -> None:
        """Nothing asked yet."""
        self.asked: Counter[str] = Counter()
        self.asked_at: dict[str, float] = {}

    @property
    def supported_languages(self) -> Literal["*"]:
        """Every language."""
        return MATCH_ALL

    async def async_process(self, user_input: ConversationInput) -> ConversationResult:
        """Echo the text."""
        self.asked[user_input.text] += 1
        self.asked_at.setdefault(user_input.text, time.perf_counter())
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(f"Echo: {user_input.text}")
        return ConversationResult(response=response, conversation_id=user_input.conversation_id)


async def async_setup_agent(hass: HomeAssistant) -> tuple[EchoAgent, str]:
    """Register an ``EchoAgent`` (the conversation integration set up first); it and its id."""
    for domain in ("homeassistant", "conversation"):
        if not await async_setup_component(hass, domain, {}):
            raise RuntimeError(f"{domain} did not set up")
    agent_entry = MockConfigEntry(domain=AGENT_DOMAIN, title="Echo")
    agent_entry.add_to_hass(hass)
    agent = EchoAgent()
    conversation.async_set_agent(hass, agent_entry, agent)
    return agent, agent_entry.entry_id


async def async_setup_talking_entries(
    env: Env,
    allowed: Mapping[str, Sequence[str]],
    sms_options: Mapping[str, Any],
    callr_options: Mapping[str, Any],
) -> tuple[Answers, MockConfigEntry, MockConfigEntry]:
    """An ``EchoAgent`` whose answers are watched, and two entries whose recipients talk to it.

    An SMSMobileAPI entry and a CALLR entry, their recipients the numbers of ``allowed`` (by
    provider). Set up one after the other: the first setup of the domain would set up every
    entry added.
    """
    agent, agent_id = await async_setup_agent(env.hass)
    answers = Answers(agent)
    answers.listen(env.hass)
    sms_entry = env.add_smsmobileapi_entry(
        env.sim_url,
        dict(sms_options),
        recipients=[recipient(number, agent_id) for number in allowed[PROVIDER_SMSMOBILEAPI]],
    )
    await env.setup_entry(sms_entry)
    callr_entry = env.add_callr_entry(
        env.callr_side().url,
        dict(callr_options),
        recipients=[recipient(number, agent_id) for number in allowed[PROVIDER_CALLR]],
    )
    await env.setup_entry(callr_entry)
    return answers, sms_entry, callr_entry


@dataclass(slots=True)
class Answers:
    """The conversation events of a run, by request text; and the agent that answered."""

    agent: EchoAgent
    # Each event's (number, rate_limited), by request text; when the first one fired.
    events: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)
    unsubscribe: Callable[[], None] | None = None

    def listen(self, hass: HomeAssistant) -> None:
        """Record every ``smsmobileapi_conversation`` event from now on."""

        @callback
        def _on_event(event: Event) -> None:
            request = str(event.data["request"])
            self.events.setdefault(request, []).append(
                (str(event.data["number"]), bool(event.data["rate_limited"]))
            )
            self.answered_at.setdefault(request, time.perf_counter())

        self.unsubscribe = hass.bus.async_listen(EVENT_CONVERSATION, _on_event)

    @property
    def answered(self) -> set[str]:
        """The texts the agent was asked."""
        return set(self.agent.asked)

    def twice(self) -> list[str]:
        """Texts asked of the agent, or told on the bus, more than once."""
        asked = [text for text, count in self.agent.asked.items() if count > 1]
        told = [text for text, told in self.events.items() if len(told) > 1]
        return sorted(set(asked) | set(told))

    def rate_limited(self) -> set[str]:
        """Texts refused for the rate limit (an event, no answer)."""
        return {text for text, told in self.events.items() if any(limited for _, limited in told)}

    def per_number(self) -> Counter[str]:
        """Answers given to each number."""
        counts: Counter[str] = Counter()
        for told in self.events.values():
            for number, limited in told:
                if not limited:
                    counts[number] += 1
        return counts


def check_answers(
    answers: Answers,
    *,
    eligible: Mapping[str, str],
    forged: Iterable[str],
    max_replies: int,
) -> list[tuple[bool, str]]:
    """The conversation invariants, as ``(holds, what broke)`` pairs.

    ``eligible``: the text of each message that may be answered (from an allowed number, sent for
    real, fresh), with its number. Every other message must never reach the agent; ``forged``
    (pushes of messages nobody sent) are named apart. Each eligible message is answered or
    refused for the rate limit, once; no number gets more than ``max_replies`` answers.
    """
    answered = answers.answered
    forged_answered = sorted(answered & set(forged))
    not_eligible = sorted(answered - set(eligible))
    twice = answers.twice()
    limited = answers.rate_limited()
    missing = sorted(set(eligible) - answered - limited)
    per_number = answers.per_number()
    over = {number: count for number, count in per_number.items() if count > max_replies}
    expected_per_number = Counter(eligible.values())
    short = {
        number: (per_number[number], min(count, max_replies))
        for number, count in expected_per_number.items()
        if per_number[number] != min(count, max_replies)
    }
    return [
        (
            not forged_answered,
            f"{len(forged_answered)} forged messages answered: {forged_answered[:3]}",
        ),
        (
            not not_eligible,
            (
                f"{len(not_eligible)} messages answered that may not be (another number, "
                f"unverified or late): {not_eligible[:3]}"
            ),
        ),
        (not twice, f"{len(twice)} messages answered twice: {twice[:3]}"),
        (not over, f"rate limit broken (answers per number): {over}"),
        (
            not missing,
            (
                f"{len(missing)} messages of allowed numbers neither answered nor refused: "
                f"{missing[:3]}"
            ),
        ),
        (not short, f"answers per number (given, expected): {short}"),
    ]


def describe_answers(answers: Answers) -> dict[str, Any]:
    """Counts for the JSON."""
    return {
        "answered": len(answers.answered),
        "rate_limited": len(answers.rate_limited()),
        "twice": len(answers.twice()),
        "per_number_max": max(answers.per_number().values(), default=0),
    }
