"""Server URLs the user may give: the credentials travel with every request to them."""

from __future__ import annotations

from ipaddress import ip_address
import re

import yarl

_HOSTNAME = re.compile(
    r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?", re.IGNORECASE
)


def url_error(url: str) -> str | None:
    """Why a server URL cannot be used, as a form error key; None when it can.

    The credentials travel with every request: only https, or http to this machine (the
    local simulator).
    """
    try:
        parsed = yarl.URL(url)
        host = parsed.raw_host
    except (ValueError, TypeError):
        return "invalid_url"
    if (
        not parsed.is_absolute()
        or parsed.scheme not in ("http", "https")
        or not host
        or not (_HOSTNAME.fullmatch(host) or _is_ip(host))
        # Credentials in the URL would be stored and shown in diagnostics: never there.
        or parsed.user is not None
        or parsed.password is not None
    ):
        return "invalid_url"
    if parsed.scheme == "http" and not _is_loopback(host):
        return "url_not_https"
    return None


def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    return host == "localhost" or (_is_ip(host) and ip_address(host).is_loopback)
