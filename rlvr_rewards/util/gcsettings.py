"""The cyclic garbage collector's thresholds for processes that build and drop many containers: the command line
(whole files of rows, kept for the command) and the reward server's workers (a request's decoded items, dropped
after each answer).

With CPython's defaults (700, 10, 10) the collector walks the growing heap again and again while it is being built
(``score`` on 200k completions: 25.4 s with the defaults, 12.9 s with these; the same peak memory), and a server
worker spends about 0.9 ms of each 1,024-item request in it (benchmarks/bench_server.py).
"""

from __future__ import annotations

from typing import Final

__all__ = ["GC_THRESHOLDS"]

#: ``gc.set_threshold(*GC_THRESHOLDS)``: generation 0 collected every 100,000 allocations, not 700.
GC_THRESHOLDS: Final = (100_000, 50, 1_000)
