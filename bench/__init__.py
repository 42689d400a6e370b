"""Benchmarks. Each prints its figures as ratios measured side by side in one run (see DESIGN.md)."""
