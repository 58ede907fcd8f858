"""Tests of the CALLR simulator."""
