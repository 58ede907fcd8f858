"""The OAuth2 access token model (exported by ``models.py`` too; imported when first used)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessToken:
    """An OAuth2 access token and when it stops working."""

    token: str = field(repr=False)
    expires_at: datetime
