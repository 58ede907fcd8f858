"""Webhook bookkeeping of the CALLR simulator: subscriptions, events and delivery outcomes.

The HTTP side (signing, posting, retrying) is :mod:`.webhooks`.
"""

from collections.abc import Callable
from datetime import datetime

from .model import (
    HMAC_ALGOS,
    WEBHOOK_TYPES,
    CallrAccount,
    CallrDelivery,
    CallrWebhook,
    WebhookEvent,
    WebhookPolicy,
    WebhookType,
)
from .sms import DynamicWebhook

type Listener = Callable[[WebhookEvent], None]


class WebhookHub:
    """Subscriptions, the events they produced, delivery settings and delivery outcomes.

    Attributes:
        policy: retries, backoff and timeout of deliveries.
        events: every event created, in order (even when no server is running).
        deliveries: the outcome of every POST made, in order.
    """

    def __init__(
        self,
        new_hash: Callable[[], str],
        new_event_id: Callable[[], str],
        clock: Callable[[], datetime],
    ) -> None:
        """Use the state's identifier generators and clock."""
        self._new_hash = new_hash
        self._new_event_id = new_event_id
        self._clock = clock
        self.policy = WebhookPolicy()
        self.events: list[WebhookEvent] = []
        self.deliveries: list[CallrDelivery] = []
        self._duplicates = 0
        self._bad_signatures = 0
        self._listeners: list[Listener] = []

    def subscribe(
        self,
        account: CallrAccount,
        event_type: WebhookType,
        endpoint: str,
        *,
        hmac_secret: str | None = None,
        hmac_algo: str = "SHA256",
    ) -> CallrWebhook:
        """Subscribe a URL to an account's ``sms.mo`` or ``sms.mt.status_update`` events."""
        if event_type not in WEBHOOK_TYPES:
            raise ValueError(f"unknown webhook type {event_type!r}")
        if hmac_algo not in HMAC_ALGOS:
            raise ValueError(f"unsupported hmac_algo {hmac_algo!r}")
        hook = CallrWebhook(self._new_hash(), event_type, endpoint, hmac_secret or None, hmac_algo)
        account.webhooks[hook.hash] = hook
        return hook

    def unsubscribe(self, account: CallrAccount, hook_hash: str) -> bool:
        """Remove a subscription; tell whether it existed."""
        return account.webhooks.pop(hook_hash, None) is not None

    def force_duplicates(self, count: int = 1) -> None:
        """Deliver each of the next ``count`` events twice (same body, same ``event_id``)."""
        self._duplicates += count

    def force_bad_signatures(self, count: int = 1) -> None:
        """Sign the next ``count`` delivery attempts with a wrong key."""
        self._bad_signatures += count

    def take_duplicate(self) -> bool:
        """Use up one planned duplicate, if any (the pusher asks once per event)."""
        if self._duplicates == 0:
            return False
        self._duplicates -= 1
        return True

    def take_bad_signature(self) -> bool:
        """Use up one planned bad signature, if any (the pusher asks once per attempt)."""
        if self._bad_signatures == 0:
            return False
        self._bad_signatures -= 1
        return True

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every new event; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(
        self,
        account: CallrAccount,
        event_type: WebhookType,
        data: dict[str, object],
        dynamic: DynamicWebhook | None = None,
    ) -> list[WebhookEvent]:
        """Create one event per subscribed URL, plus the per-SMS webhook's, and hand them out.

        Each gets its own ``event_id`` (one per URL: the notes do not say whether two
        subscriptions share one).
        """
        now = self._clock()
        targets: list[tuple[str | None, str, str | None]] = [
            (hook.hash, hook.endpoint, hook.hmac_secret)
            for hook in account.webhooks.values()
            if hook.type == event_type
        ]
        if dynamic is not None:
            targets.append((None, dynamic.endpoint, dynamic.hmac_secret))
        created = [
            WebhookEvent(self._new_event_id(), event_type, now, hook_hash, url, secret, data)
            for hook_hash, url, secret in targets
        ]
        for event in created:
            self.events.append(event)
            for listener in list(self._listeners):
                listener(event)
        return created
