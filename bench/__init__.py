"""Benchmarks for the directory: plain scripts, not tests. See bench/README.md."""
