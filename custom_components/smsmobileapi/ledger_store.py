"""The ledger's file: Home Assistant's ``Store``, migrated from older versions, read with care."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import CallType
from .const import DOMAIN, LOGGER
from .ledger import Ledger, LedgerFormatError, saved_time

STORAGE_VERSION = 2


def new_ledger() -> Ledger:
    """An empty ledger, bounded as an entry's."""
    # Missed calls are re-read for up to two days (the log filters by day).
    return Ledger(protect={CallType.MISSED: timedelta(days=2)})


@dataclass(slots=True)
class SavedState:
    """What an entry's inbox keeps across restarts."""

    ledger: Ledger = field(default_factory=new_ledger)
    # When the first sync ended: None until then (items are recorded, never fired).
    synced_at: datetime | None = None
    # Whether the service ever reached our webhook (a repair issue watches it).
    webhook_seen: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The file's content."""
        return {
            **self.ledger.as_dict(),
            "synced_at": self.synced_at.timestamp() if self.synced_at is not None else None,
            "webhook_seen": self.webhook_seen,
        }


class LedgerStore(Store[dict[str, Any]]):
    """The file of one entry's ledger."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """The file of ``entry_id`` (private: it names who wrote to the user)."""
        super().__init__(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.ledger", private=True)

    async def async_read(self) -> SavedState:
        """What was saved; a fresh state (a silent first sync) when nothing usable was."""
        try:
            data = await self.async_load()
        except (HomeAssistantError, ValueError) as err:
            LOGGER.warning("The saved record of delivered messages cannot be read (%s)", err)
            return SavedState()
        if data is None:
            return SavedState()
        now = dt_util.utcnow()
        ledger = new_ledger()
        try:
            ledger.load(data, now=now)
            synced_at = data.get("synced_at")
            synced = None if synced_at is None else saved_time(synced_at, now=now)
        except LedgerFormatError as err:
            LOGGER.warning(
                "The saved record of delivered messages is unusable (%s): starting afresh, "
                "without firing what is already there",
                err,
            )
            return SavedState()
        return SavedState(ledger, synced, data.get("webhook_seen") is True)

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: object
    ) -> dict[str, Any]:
        """Version 1 said ``synced: true``; version 2 keeps when the first sync ended.

        Version 1 is the only older one. Its data when not an object is unusable:
        ``async_read`` finds nothing it can trust in an empty one and starts afresh.
        """
        if not isinstance(old_data, dict):
            return {}
        data = {key: value for key, value in old_data.items() if key != "synced"}
        if old_data.get("synced", True) is True:
            cursors = old_data.get("cursors")
            times = (
                [at for at in cursors.values() if isinstance(at, int | float)]
                if isinstance(cursors, dict)
                else []
            )
            data["synced_at"] = max(times, default=dt_util.utcnow().timestamp())
        return data
