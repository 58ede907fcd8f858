"""Tests that run a real Home Assistant process: the launcher and the newest-release smoke run."""
