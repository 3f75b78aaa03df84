"""Benchmarks and ``make verify``: scripts run as ``python bench/NAME.py``, and the helpers
they share (:mod:`bench.server_process`, :mod:`bench.deployment`). Nothing here imports
the test suite."""
