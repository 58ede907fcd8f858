"""Benchmarks and a fault-injection soak of the integration, against the simulators.

Each figure runs a real Home Assistant (the test harness' ``hass`` with the real HTTP server on
loopback) and the simulators on loopback (SMSMobileAPI's and CALLR's), measures the integration
and the alternative a user would pick instead in the same run, and prints both with their ratio,
and the longest event-loop stall (``harness.LoopLag``: each measured window starts after a full
garbage collection, and counts those that happen in it). The figures whose answers are large
(polls of up to 100 000 SMS, the first sync) run the simulator in its own process
(``simproc``), so that its work is not counted in Home Assistant's loop. Benchmarks, not timed
tests: the only failures are broken invariants (lost or duplicated events, an unhandled exception
in the log, a ledger file of 1 MiB or more, events fired by a first sync, memory that keeps
growing in the soak), never a time; ``goals`` prints the issue's goals beside the figures.

``--json`` writes (``SCHEMA`` 2; a key is added, never renamed, within a schema)::

    {"schema": 2, "mode": "full" | "quick" | "soak", "seed": int, "seconds": float,
     "invariants_hold": bool,
     "machine": {"cpus", "cpu_model", "memory", "python", "home_assistant", "platform",
                 "rest_sensor", "date", "load_average_start", "load_average_end"},
     "figures": {"fig1" ... "fig7" | "soak": {"title", "seconds", "failures": [str],
                 "metrics": {...}, "tables": [{"title", "columns", "rows", "notes"}]}},
     "goals": [{"key", "what", "unit": "s" | "bytes", "before", "now", "target", "met"}]}

Times are seconds, sizes bytes. A measured window's ``loop`` (figures 2, 3, 7 and the soak):
``longest_loop_stall``, ``longest_loop_stall_outside_full_collections``, ``full_collections``,
``longest_full_collection``. ``scripts/bench_table.py`` turns such files into the README's
figures.

Run with ``scripts/bench`` (``--help`` for the options).
"""
