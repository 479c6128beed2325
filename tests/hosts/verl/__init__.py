"""veRL 0.9.1's own reward loop on our reward functions (run under a venv with veRL and its dependencies)."""
