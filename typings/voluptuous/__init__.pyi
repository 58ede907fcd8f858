# Home Assistant 2026.9+ aliases voluptuous to probatio at runtime (homeassistant/__init__.py:
# install_as_voluptuous). Type-check against probatio too, so schemas match HA signatures.
from probatio import *  # noqa: F403
