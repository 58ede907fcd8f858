"""Constants of the SMSMobileAPI integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "smsmobileapi"
LOGGER = logging.getLogger(__package__)

# Config entry data.
CONF_AUTH_TYPE: Final = "auth_type"
CONF_BASE_URL: Final = "base_url"
CONF_PROVIDER: Final = "provider"
SECTION_ADVANCED: Final = "advanced"

AUTH_API_KEY: Final = "api_key"
AUTH_OAUTH2: Final = "oauth2"
METHOD_CALLR: Final = "callr"
PROVIDER_SMSMOBILEAPI: Final = "smsmobileapi"
PROVIDER_CALLR: Final = "callr"
# How each provider is named to people (device manufacturer, logbook, webhook list).
PROVIDER_TITLES: Final = {PROVIDER_SMSMOBILEAPI: "SMSMobileAPI", PROVIDER_CALLR: "CALLR"}

DASHBOARD_URL: Final = "https://smsmobileapi.com/"
CALLR_PORTAL_URL: Final = "https://app.callr.com/"

# Polling. Received SMS are cheap (incremental); phones and call logs change slowly.
SMS_SCAN_INTERVAL: Final = timedelta(seconds=60)
SLOW_SCAN_INTERVAL: Final = timedelta(minutes=5)
# Re-read the full list of unread SMS this often; in between it is kept up to date locally.
UNREAD_RESYNC_INTERVAL: Final = timedelta(hours=6)
# The phone may synchronise a message up to ~10 minutes after it arrived (Android background
# limits, see the call-management doc), so each poll looks back this far before the newest seen.
SYNC_OVERLAP: Final = timedelta(minutes=15)
# A first poll (no cursor yet) reads this much history.
INITIAL_SYNC_WINDOW: Final = timedelta(days=7)
ANSWERED_CALLS_POLL_LIMIT: Final = 200
MISSED_CALLS_POLL_LIMIT: Final = 100

# Options.
CONF_WEBHOOK_SECRET: Final = "webhook_secret"  # noqa: S105 - an option key, not a secret
# The sender of SMS (CALLR): a name of at most 11 characters, an E.164 number, or empty.
CONF_SENDER: Final = "sender"
# A field of the options form (never stored): the secret is never shown, so removing it is asked.
CONF_REMOVE_WEBHOOK_SECRET: Final = "remove_webhook_secret"  # noqa: S105
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"

# Events on the bus (a public contract: automations use these names and fields).
EVENT_SMS_RECEIVED: Final = "smsmobileapi_sms_received"
EVENT_CALL: Final = "smsmobileapi_call"
EVENT_WHATSAPP_RECEIVED: Final = "smsmobileapi_whatsapp_received"
EVENT_MESSAGE_STATUS: Final = "smsmobileapi_message_status"
EVENT_CONVERSATION: Final = "smsmobileapi_conversation"

SOURCE_WEBHOOK: Final = "webhook"
SOURCE_POLL: Final = "poll"
# The ledger's name for received WhatsApp messages (their identities and cursor).
SOURCE_WHATSAPP: Final = "whatsapp"

# An item older than this when it reaches us is "delayed" (so is one from before we started).
DELAYED_AFTER: Final = timedelta(minutes=15)
WEBHOOK_MAX_BODY: Final = 64 * 1024
# A request body must arrive within this many seconds (then 408).
WEBHOOK_READ_TIMEOUT: Final = 10
# A crash right after a webhook was answered must not lose its record: save within a second.
LEDGER_SAVE_DELAY: Final = 1  # seconds

# Options beyond the webhook secret; their defaults keep the documented behaviour.
CONF_SLOW_SCAN_INTERVAL: Final = "slow_scan_interval"
CONF_POLL_SMS: Final = "poll_sms"
CONF_POLL_MISSED_CALLS: Final = "poll_missed_calls"
CONF_POLL_ANSWERED_CALLS: Final = "poll_answered_calls"
CONF_POLL_WHATSAPP: Final = "poll_whatsapp"
CONF_STALE_PHONE_MINUTES: Final = "stale_phone_minutes"
CONF_DEFAULT_CHANNEL: Final = "default_channel"
CONF_DEFAULT_SIM: Final = "default_sim"
DEFAULT_STALE_PHONE_MINUTES: Final = 30
# Bounds that respect the service: no faster than every 30 s, phones and calls every minute.
MIN_SCAN_INTERVAL: Final = 30
MAX_SCAN_INTERVAL: Final = 3600
MIN_SLOW_SCAN_INTERVAL: Final = 60
MAX_SLOW_SCAN_INTERVAL: Final = 6 * 3600

# Recipient subentries: one notify entity each.
SUBENTRY_RECIPIENT: Final = "recipient"
CONF_NUMBER: Final = "number"
CONF_CHANNEL: Final = "channel"
CONF_PHONE: Final = "phone"
CONF_SIM: Final = "sim"
SIM_SLOTS: Final = (1, 2)
# The Assist agent a recipient may talk to by SMS or WhatsApp (empty: none).
CONF_CONVERSATION_AGENT: Final = "conversation_agent"
# At most this many answers per number and hour (an entry option).
CONF_CONVERSATION_MAX_REPLIES: Final = "conversation_max_replies"
DEFAULT_CONVERSATION_MAX_REPLIES: Final = 10

# At most this many requests of one action call (or one notification) are in flight at once.
MAX_PARALLEL_REQUESTS: Final = 10
# One send_message reaches at most this many recipients (refused before any request beyond).
MAX_RECIPIENTS: Final = 100

# What a person wrote and who: shown in attributes, never stored by the recorder.
PRIVATE_ATTRIBUTES: Final = frozenset({"number", "message", "alias", "name", "guid", "voice"})

# Repair issues.
ISSUE_SUBSCRIPTION_EXPIRED: Final = "subscription_expired"
ISSUE_PHONE_NOT_SYNCING: Final = "phone_not_syncing"
ISSUE_NO_WEBHOOK_NO_POLLING: Final = "no_webhook_no_polling"
ISSUE_UNSIGNED_WEBHOOK: Final = "unsigned_webhook"
ISSUE_CALL_LOGS_NEED_API_KEY: Final = "call_logs_need_api_key"
