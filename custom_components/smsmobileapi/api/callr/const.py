"""CALLR SMS REST v1.1: documented values, and the bounds chosen where none is documented.

See ``callr-notes.md`` of the project for the wire format and what is uncertain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DEFAULT_BASE_URL: Final = "https://api.callr.com/rest/v1.1"
DEFAULT_TIMEOUT: Final = 30.0

# CALLR documents no maximum: a long text is split and billed in parts of 153 GSM or 67 UCS-2
# characters. 1 600 characters is 11 GSM parts (24 in UCS-2), the bound most SMS APIs use and the
# one the SMSMobileAPI client uses, so the integration's length check means the same for both.
MAX_MESSAGE_LENGTH: Final = 1600

# ``GET /sms`` must be given a window; without ``after`` (received) or ``since`` (sent), the last
# seven days, the integration's first-sync window. No paging exists: a wider default would only
# grow the answer.
DEFAULT_WINDOW: Final = timedelta(days=7)

# Every outgoing SMS is marked as an alert (transactional), never marketing: Home Assistant sends
# notifications, and marketing SMS may be held outside business hours or get a STOP mention.
SEND_OPTIONS: Final = {"nature": "ALERTING"}

# An answer larger than this is refused (a list of SMS objects is about 1 KiB a row).
MAX_RESPONSE_BYTES: Final = 4 * 1024 * 1024
# A webhook body larger than this is refused (one event is about 1.5 KiB).
MAX_WEBHOOK_BYTES: Final = 1024 * 1024
# A Retry-After longer than an hour is not believed: polling must not stop for long.
MAX_RETRY_AFTER: Final = 3600.0

# CALLR's SMS statuses (upper case on the wire).
FAILED_STATUSES: Final = frozenset({"ERROR", "FAILED", "EXPIRED"})
# A delivery report's status as a ``MessageStatusEvent`` status; the others are ignored.
STATUS_EVENTS: Final = {
    "SENT": "sent",
    "RECEIVED": "delivered",
    "ERROR": "failed",
    "FAILED": "failed",
    "EXPIRED": "failed",
}

# JSON-RPC "authentication failed" (CALLR's SDKs); the REST envelope may carry it as ``code``.
AUTH_ERROR_CODE: Final = "22"

EVENT_SMS_MO: Final = "sms.mo"
EVENT_SMS_MT_STATUS: Final = "sms.mt.status_update"
HEADER_EVENT_ID: Final = "X-CALLR-EventId"
HEADER_SIGNATURE: Final = "X-CALLR-HmacSignature"
