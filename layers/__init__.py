"""How the shared Lambda layer is built (see layers/build.py)."""
