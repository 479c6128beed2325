"""The built-in plugins (parsers, matchers, scorers, presets), registered like any third-party plugin."""
