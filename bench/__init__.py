"""Benchmarks: plain scripts, not tests. See bench/README.md."""
