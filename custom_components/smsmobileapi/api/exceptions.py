"""Exceptions raised by every provider's client.

The tree is small on purpose; callers catch the base class or one of these:

    SmsGatewayError
    ├── SmsGatewayConnectionError          network failure, DNS, refused connection
    │   └── SmsGatewayTimeoutError         no answer in time (a send may have gone out)
    ├── SmsGatewayAuthenticationError      missing or rejected credentials
    ├── SmsGatewaySubscriptionExpiredError
    ├── SmsGatewayRateLimitError           HTTP 429, with retry_after in seconds
    ├── SmsGatewayFeatureUnavailableError  this endpoint does not take these credentials
    ├── SmsGatewayResponseError            the service said no, or said something unreadable
    │   └── SmsGatewayInvalidResponseError the body is not what the API documents
    └── WebhookError                       a pushed request we cannot accept
        ├── WebhookPayloadError            not a webhook we can read
        └── WebhookSignatureError          not signed with the shared secret (or not recently)

No message ever contains a credential: they are built from codes, fields and HTTP statuses only.
"""

from __future__ import annotations


class SmsGatewayError(Exception):
    """Base class of every error of the clients."""


class SmsGatewayConnectionError(SmsGatewayError):
    """The service could not be reached, or the exchange broke off.

    ``request_sent`` is False only when the request certainly never left (no connection could be
    made): a send that failed otherwise may still have reached the service.
    """

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        """Keep whether the request may have reached the service."""
        super().__init__(message)
        self.request_sent = request_sent


class SmsGatewayTimeoutError(SmsGatewayConnectionError):
    """The service did not answer in time; the request may or may not have been processed."""


class SmsGatewayAuthenticationError(SmsGatewayError):
    """The credentials were missing or rejected."""


class SmsGatewaySubscriptionExpiredError(SmsGatewayError):
    """The account's subscription has expired."""


class SmsGatewayRateLimitError(SmsGatewayError):
    """The service asked us to slow down."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep how long the service asked us to wait, in seconds, when it said so."""
        super().__init__(message)
        self.retry_after = retry_after


class SmsGatewayFeatureUnavailableError(SmsGatewayError):
    """An endpoint refused credentials that work elsewhere (say, a token where only a key works).

    Not a credentials problem: the rest of the account works; only this feature does not.
    """


class SmsGatewayResponseError(SmsGatewayError):
    """The service answered with an error code of its own."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        """Keep the service's error code and the HTTP status."""
        super().__init__(message)
        self.code = code
        self.status = status


class SmsGatewayInvalidResponseError(SmsGatewayResponseError):
    """The body could not be understood (not JSON, or a required field is missing)."""


class WebhookError(SmsGatewayError):
    """A request pushed to the webhook that cannot be accepted."""


class WebhookPayloadError(WebhookError):
    """The request is not a webhook we can read."""


class WebhookSignatureError(WebhookError):
    """The request is not signed with the shared secret, or not recently."""
