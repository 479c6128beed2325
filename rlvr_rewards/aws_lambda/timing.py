"""The reward Lambda's time plan: what the handler assumes a sample and the response cost (re-exported by
:mod:`rlvr_rewards.aws_lambda.config`). A module of its own, free of pydantic, so that the handler module
imports light (docs/lambda.md, "Cold start")."""

from __future__ import annotations

__all__ = ["DEADLINE_MARGIN_MS", "RESPONSE_RESERVE_MS", "RESPONSE_US_PER_RESULT", "SLOWEST_SAMPLE_MS"]

#: The slowest sample the library's budget allows, on a Lambda: the budget is 50 ms per completion of up to
#: 200,000 characters (``Limits.max_chars``; docs/reliability.md, p99 on one core of the reference machine),
#: times 4: a 1024 MB Lambda (the SAM template's size) runs on about 0.58 of a vCPU (x1.7), and the rest is
#: headroom for a garbage collection or a cold cache inside the sample. The handler plans its work in these
#: units: it starts a chunk of n samples only when n of them at this cost would end before the margin.
SLOWEST_SAMPLE_MS = 200
#: Time to finish once scoring stops, the fixed part: log, build the envelope, and let the runtime send up to
#: 6 MB (tens of ms), with the same headroom as above.
RESPONSE_RESERVE_MS = 300
#: ... and the part that grows with the batch, per sample: floor the samples not scored, measure the response
#: and, when it is over 6 MB, cut it down; about 8 us a result on one busy core for the slowest case (a 6 MB
#: request of 76,000 minimal rows whose response must be cut to fit: tests/test_lambda_hostile.py), x4 as
#: above. The most results a response can hold (150,000) make it 4.5 s; a batch of 1,024 samples, 31 ms.
RESPONSE_US_PER_RESULT = 30
#: Default of ``deadline_margin_ms``: the response's fixed reserve plus one slowest sample. Chunks are planned so
#: that their samples end before the margin even at the budget's worst; the extra sample absorbs a chunk that
#: runs over that plan by up to one slowest sample (a cold start, a busy host). The handler adds
#: ``RESPONSE_US_PER_RESULT`` per sample of the batch to whatever margin is configured. There is no timer: a
#: sample is never interrupted (docs/reliability.md, guarantee 10, "No signals").
DEADLINE_MARGIN_MS = RESPONSE_RESERVE_MS + SLOWEST_SAMPLE_MS
