"""Exceptions raised by the SMSMobileAPI client.

The tree is small on purpose; callers catch the base class or one of these:

    SmsMobileApiError
    ├── SmsMobileApiConnectionError          network failure, DNS, refused connection
    │   └── SmsMobileApiTimeoutError         no answer in time (a send may have gone out)
    ├── SmsMobileApiAuthenticationError      missing or rejected API key / OAuth2 client
    ├── SmsMobileApiSubscriptionExpiredError
    ├── SmsMobileApiRateLimitError           HTTP 429, with retry_after in seconds
    └── SmsMobileApiResponseError            the service said no, or said something unreadable
        └── SmsMobileApiInvalidResponseError the body is not what the API documents

No message ever contains a credential: they are built from codes, fields and HTTP statuses only.
"""

from __future__ import annotations


class SmsMobileApiError(Exception):
    """Base class of every error of the client."""


class SmsMobileApiConnectionError(SmsMobileApiError):
    """The service could not be reached."""


class SmsMobileApiTimeoutError(SmsMobileApiConnectionError):
    """The service did not answer in time; the request may or may not have been processed."""


class SmsMobileApiAuthenticationError(SmsMobileApiError):
    """The API key or the OAuth2 client was missing or rejected."""


class SmsMobileApiSubscriptionExpiredError(SmsMobileApiError):
    """The account's subscription has expired."""


class SmsMobileApiRateLimitError(SmsMobileApiError):
    """The service asked us to slow down."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep how long the service asked us to wait, in seconds, when it said so."""
        super().__init__(message)
        self.retry_after = retry_after


class SmsMobileApiResponseError(SmsMobileApiError):
    """The service answered with an error code of its own."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        """Keep the service's error code and the HTTP status."""
        super().__init__(message)
        self.code = code
        self.status = status


class SmsMobileApiInvalidResponseError(SmsMobileApiResponseError):
    """The body could not be understood (not JSON, or a required field is missing)."""
