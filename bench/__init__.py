"""Benchmarks and a fault-injection soak of the SMSMobileAPI integration, against the simulator.

Each figure runs a real Home Assistant (the test harness' ``hass`` with the real HTTP server on
loopback) and the simulator on loopback, measures the integration and the alternative a user
would pick instead in the same run, and prints both with their ratio. Benchmarks, not timed
tests: the only failures are broken invariants (lost or duplicated events, an unhandled exception
in the log, a ledger file of 1 MiB or more, events fired by a first sync, memory that keeps
growing in the soak), never a time.

Run with ``scripts/bench`` (``--help`` for the options).
"""
