"""Tests of the SMSMobileAPI integration, its client and its simulator."""
