"""Reports of scored runs: ``rlvr-rewards report`` (docs/report.md).

One self-contained HTML page (inline CSS, figures embedded as base64 PNG, no script, no external URL) for one
run of completions scored against rows, or for two runs on the same rows compared (base vs tuned model).

- :mod:`rlvr_rewards.report.stats`: bootstrap intervals of a mean and of a paired difference of means,
  resampling rows (GRPO groups), seeded; numpy only.
- :mod:`rlvr_rewards.integrations.runs`: rows and completion files read, checked and scored as ``rlvr-rewards score``
  does; two runs paired by row id and position within the row's group.
- :mod:`rlvr_rewards.report.figures`: the figures (matplotlib's Agg canvas, PNG bytes).
- :mod:`rlvr_rewards.report.html`: escaping, untrusted text cut to length, tables, embedded images, the page.
- :mod:`rlvr_rewards.report.document`: the sections of a run's page and of a comparison's.
- :mod:`rlvr_rewards.report.cli`: the ``report`` command.

Importing this package imports nothing else: matplotlib is needed only by ``figures`` and ``document`` (the
``report`` extra: ``pip install 'rlvr-rewards[report]'``).
"""
