"""Stage 5, combine: presets turn the component columns into one reward (``presets``)."""
