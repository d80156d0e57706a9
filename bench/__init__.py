"""Benchmarks: ``make bench`` runs every ``bench/bench_*.py``.

Each module defines ``run() -> list[dict]``; each dict is one measurement with keys ``name``,
``value`` (a number), ``unit``, ``target`` (text such as "<= 1.5x" or "< 0.5 s") and ``ok`` (bool).
Targets are ratios against a baseline measured in the same run where the issue says so: these
machines are shared and noisy, so absolute times are reported but compared loosely.
"""
