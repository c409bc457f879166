"""Benchmarks: each part prints figures as JSON lines, with a baseline measured in the same run."""
