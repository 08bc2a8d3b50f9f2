"""Benchmarks. ``python -m bench [SUITE ...] [--quick]`` runs registered suites (all by default)
and writes one Markdown table per suite to bench/results/.

A suite is a module in ``bench/suites/`` that calls :func:`register`; nothing else needs editing.
"""

from bench.registry import Suite, all_suites, register

__all__ = ["Suite", "all_suites", "register"]
