"""Kumo application code (packaged by Chalice together with app.py)."""
