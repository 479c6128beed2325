"""Stage 1, ground truth: what the user's data says must happen, validated once and compiled to plain values.

- ``truths``: the tagged-union truth, its dialects (blog, BFCL via ``bfcl``), row extraction, compilation.
- ``matchers``: argument matchers (``$regex``, ``$number``, ...) compiled from a truth.
- ``toolspecs``: tool specifications, compiled once per distinct list; ``fastschema``: their JSON-Schema check.
- ``userregex``: a user's ``$regex`` / schema ``pattern``, bounded.
- ``validate``: a dataset checked row by row as scoring reads it.
"""
