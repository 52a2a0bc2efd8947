"""Omnichannel warehouse: Dagster definitions, landing, quality suites and the sample generator."""
