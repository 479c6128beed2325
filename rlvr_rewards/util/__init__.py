"""Shared infrastructure with no stage of its own: exact JSON (``jsonsafe``), bounded caches (``lru``, ``keymemo``)
and fork-safe locks (``locks``)."""
