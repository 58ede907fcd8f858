"""Tests of the SMSMobileAPI simulator itself (no Home Assistant)."""
