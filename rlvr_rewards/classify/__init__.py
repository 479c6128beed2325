"""Stage 3, classify: what a completion did (execute, clarify, refuse, answer, invalid), read from its parse.

- ``behavior``: the built-in classifier and the text cues (declining, requesting, content).
- ``evaluation``: the classifier measured on labelled behaviour corpora.
"""
