"""SMSMobileAPI's documented defaults and limits (the call-management and SMS docs)."""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.smsmobileapi.com"
DEFAULT_TIMEOUT: Final = 30.0
# The vendor's SDKs tag their requests with a ``from`` field; so do we.
SOURCE_TAG: Final = "homeassistant"

# Answers are read up to a cap, counted in decompressed bytes (a 255 KiB gzip body can hold
# 256 MiB); past it the answer is an invalid response. A few MiB is plenty for every answer
# but the lists without a documented limit: 100 000 received SMS are about 18 MiB (the
# benchmarks' first sync), so those lists get room for about 350 000.
MAX_RESPONSE_BYTES: Final = 4 * 1024 * 1024
MAX_LIST_RESPONSE_BYTES: Final = 64 * 1024 * 1024

# No vendor source gives a maximum: the SMS doc says only "no 160-char limit", and neither
# the OpenAPI file, the Postman collection, the PHP SDK, the Python examples nor the Odoo
# module cap the text. Kept at ten concatenated SMS, the most carriers join (the phone
# splits the text; WhatsApp takes more).
MAX_MESSAGE_LENGTH: Final = 1600

MISSED_CALLS_DEFAULT_LIMIT: Final = 100
MISSED_CALLS_MAX_LIMIT: Final = 500
CALLS_DEFAULT_LIMIT: Final = 50
CALLS_MAX_LIMIT: Final = 200
CALLS_SORT_FIELDS: Final = frozenset(
    {
        "call_date_ms",
        "call_datetime_utc",
        "duration_sec",
        "phone_number",
        "created_at",
        "cached_name",
        "geo_location",
    }
)
SENT_FROM_MOBILE_MAX_LIMIT: Final = 200
SENT_FROM_MOBILE_PERIODS: Final = frozenset(
    {"today", "yesterday", "last_24h", "last_3days", "last_7days"}
)
