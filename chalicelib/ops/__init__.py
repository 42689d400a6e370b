"""Operator tasks: backup and restore."""
