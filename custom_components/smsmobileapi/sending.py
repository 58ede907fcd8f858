"""The one path every outgoing message takes: the action, the notify entities, Assist's answers.

``async_check_outgoing`` refuses what the account cannot send before anything is sent;
``async_send_message`` sends one text to many recipients, a few at a time, never retried (a
request that got no answer may have been sent), and says which recipients were sent, which were
not and which may have been.
"""

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final, NamedTuple

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import (
    Capability,
    Channel,
    SmsGatewayAuthenticationError,
    SmsGatewayConnectionError,
    SmsGatewayError,
    sendable_channels,
)
from .const import (
    CONF_DEFAULT_CHANNEL,
    CONF_DEFAULT_SIM,
    CONF_SENDER,
    MAX_PARALLEL_REQUESTS,
    SIM_SLOTS,
)
from .devices import async_check_phone_connected
from .errors import action_error, is_account_wide, validation_error
from .phone_numbers import InvalidPhoneNumberError, to_e164

if TYPE_CHECKING:
    from .coordinator import SmsMobileApiConfigEntry

STATUS_QUEUED: Final = "queued"
STATUS_SCHEDULED: Final = "scheduled"
_NONE: Final = "-"


class OutgoingMessage(NamedTuple):
    """One text and how to send it."""

    text: str
    channel: Channel = Channel.SMS
    phone_id: str | None = None
    sim: int | None = None
    schedule_at: datetime | None = None
    shorten_urls: bool = False
    encrypt: bool = False
    media_url: str | None = None
    sender: str | None = None

    def options(self) -> dict[str, tuple[bool, Capability]]:
        """Each option beyond a plain SMS: whether it is used, and what it needs."""
        return {
            "phone": (self.phone_id is not None, Capability.PHONES),
            "sim": (self.sim is not None, Capability.CHOOSE_SIM),
            "schedule": (self.schedule_at is not None, Capability.SCHEDULE),
            "shorten_urls": (self.shorten_urls, Capability.SHORTEN_URLS),
            "encrypt": (self.encrypt, Capability.ENCRYPT),
            "media_url": (self.media_url is not None, Capability.SEND_MEDIA),
            "sender": (self.sender is not None, Capability.SENDER_ID),
        }


STATUS_FAILED: Final = "failed"
STATUS_UNKNOWN: Final = "unknown"


class Outcome(NamedTuple):
    """What became of one recipient: queued (or scheduled) with a guid, failed, or unknown.

    ``unknown``: no answer in time, so the message may still go out (never sent again).
    """

    recipient: str
    status: str
    guid: str | None = None
    error: str | None = None
    # How many parts the provider bills, when it says.
    parts: int | None = None

    @property
    def sent(self) -> bool:
        """Whether the service accepted the message for this recipient."""
        return self.guid is not None


def default_channel(entry: SmsMobileApiConfigEntry) -> Channel:
    """The channel of the entry's options, used when an action gives none (SMS by default)."""
    try:
        return Channel(entry.options.get(CONF_DEFAULT_CHANNEL, Channel.SMS))
    except ValueError:
        return Channel.SMS


def default_sender(entry: SmsMobileApiConfigEntry) -> str | None:
    """The sender of the entry's options, when its provider takes one (None: the provider's)."""
    if Capability.SENDER_ID not in entry.runtime_data.client.capabilities:
        return None
    return str(entry.options.get(CONF_SENDER) or "").strip() or None


def default_sim(entry: SmsMobileApiConfigEntry) -> int | None:
    """The SIM of the entry's options, used when neither the action nor the recipient gives one.

    None (the phone's own choice) unless the options name SIM 1 or 2.
    """
    # Loaded with the entry's client (a module the rest of this one does not need at import).
    from .api.parsing import optional_int  # noqa: PLC0415

    sim = optional_int(entry.options.get(CONF_DEFAULT_SIM))
    return sim if sim in SIM_SLOTS else None


def normalize_number(hass: HomeAssistant, number: str) -> str:
    """E.164 form of a number; a national number is read in Home Assistant's country."""
    try:
        return to_e164(number, hass.config.country)
    except InvalidPhoneNumberError as err:
        raise validation_error("invalid_number", number=number) from err


def normalize_recipients(hass: HomeAssistant, numbers: Iterable[str]) -> list[str]:
    """Valid E.164 numbers in the order given, each once; refuse any invalid one."""
    recipients: list[str] = []
    for number in numbers:
        if not number.strip():
            continue
        e164 = normalize_number(hass, number)
        if e164 not in recipients:
            recipients.append(e164)
    if not recipients:
        raise validation_error("no_recipients")
    return recipients


@callback
def async_check_outgoing(entry: SmsMobileApiConfigEntry, outgoing: OutgoingMessage) -> None:
    """Refuse what the account cannot send, before anything is sent."""
    if not outgoing.text.strip():
        raise validation_error("empty_message")
    maximum = entry.runtime_data.client.max_message_length
    if len(outgoing.text) > maximum:
        raise validation_error(
            "message_too_long", length=str(len(outgoing.text)), maximum=str(maximum)
        )
    _check_capabilities(entry, outgoing)
    if outgoing.media_url is not None:
        if outgoing.channel is Channel.SMS:
            raise validation_error("media_url_needs_whatsapp")
        if not outgoing.media_url.startswith("https://"):
            raise validation_error("media_url_not_https", media_url=outgoing.media_url)
    if outgoing.schedule_at is not None and outgoing.schedule_at < dt_util.utcnow():
        raise validation_error(
            "schedule_in_past",
            schedule=dt_util.as_local(outgoing.schedule_at).isoformat(timespec="minutes"),
        )
    if outgoing.phone_id is not None:
        async_check_phone_connected(entry, outgoing.phone_id)


def _check_capabilities(entry: SmsMobileApiConfigEntry, outgoing: OutgoingMessage) -> None:
    """Refuse a channel or an option the entry's provider does not offer."""
    capabilities = entry.runtime_data.client.capabilities
    if outgoing.channel not in sendable_channels(capabilities):
        raise validation_error(
            "channel_not_supported", channel=outgoing.channel.value, title=entry.title
        )
    for option, (used, needs) in outgoing.options().items():
        if used and needs not in capabilities:
            raise validation_error("option_not_supported", option=option, title=entry.title)


async def async_send_message(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    recipients: Sequence[str],
    outgoing: OutgoingMessage,
) -> list[Outcome]:
    """Send one message to each recipient (E.164), a few at a time; never retried.

    Returns one outcome per recipient, in order; ``failure(outcomes)`` is the error to raise
    when any of them was not sent. Rejected credentials start a reauth.
    """
    client = entry.runtime_data.client
    semaphore = asyncio.Semaphore(MAX_PARALLEL_REQUESTS)
    stopped: list[SmsGatewayError] = []
    status = STATUS_QUEUED if outgoing.schedule_at is None else STATUS_SCHEDULED

    async def _send(recipient: str) -> Outcome:
        async with semaphore:
            if stopped:
                return _failed(recipient, stopped[0])
            try:
                result = await client.send_message(
                    recipient,
                    outgoing.text,
                    channel=outgoing.channel,
                    phone_id=outgoing.phone_id,
                    sim=outgoing.sim,
                    schedule_at=outgoing.schedule_at,
                    shorten_urls=outgoing.shorten_urls,
                    encrypt=outgoing.encrypt,
                    media_url=outgoing.media_url,
                    sender=outgoing.sender,
                )
            except SmsGatewayError as err:
                if is_account_wide(err):
                    stopped.append(err)
                if isinstance(err, SmsGatewayAuthenticationError):
                    entry.async_start_reauth(hass)
                return _failed(recipient, err)
            return Outcome(recipient, status, guid=result.guid, parts=result.parts)

    return list(await asyncio.gather(*(_send(recipient) for recipient in recipients)))


def failure(outcomes: Sequence[Outcome]) -> HomeAssistantError | None:
    """The translated error of a send that did not reach every recipient, else None.

    It tells which recipients were sent (with their guids), which were not and which may have
    been (no answer in time).
    """
    if all(outcome.sent for outcome in outcomes):
        return None
    return action_error(
        "send_failed",
        sent=", ".join(f"{o.recipient} ({o.guid})" for o in outcomes if o.sent) or _NONE,
        not_sent="; ".join(
            f"{o.recipient} ({o.error})" for o in outcomes if o.status == STATUS_FAILED
        )
        or _NONE,
        unknown=", ".join(o.recipient for o in outcomes if o.status == STATUS_UNKNOWN) or _NONE,
    )


def _failed(recipient: str, error: SmsGatewayError) -> Outcome:
    status = STATUS_UNKNOWN if _may_have_been_sent(error) else STATUS_FAILED
    return Outcome(recipient, status, error=str(error))


def _may_have_been_sent(error: SmsGatewayError) -> bool:
    """A request that got no answer may have reached the service (never retry it)."""
    return isinstance(error, SmsGatewayConnectionError) and error.request_sent
