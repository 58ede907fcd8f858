"""Tests of the integration's actions."""
