"""Tests of the HA-free SMSMobileAPI client, over real HTTP against the local simulator."""
