"""Tests that run a host's own code (each host in its own folder, skipped without the host)."""
