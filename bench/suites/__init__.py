"""Benchmark suites: each module registers itself with bench.register."""
