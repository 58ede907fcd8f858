"""Tests of the CALLR client against the CALLR simulator."""
