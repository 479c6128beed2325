"""rlvr_rewards/util/lru.py: the bounded LRU shared by the cross-call memos (keymemo, scoring/recent)."""

from __future__ import annotations

import threading

from rlvr_rewards.util.lru import BoundedLRU


def test_touch_makes_a_key_the_newest_and_the_oldest_goes_first() -> None:
    lru = BoundedLRU(max_entries=3, max_size=100)
    for k in "abc":
        lru.put(k, k.upper(), 1)
    lru.touch("a")  # a is the newest now: b goes first
    lru.put("d", "D", 1)
    assert lru.peek("b") is None and lru.peek("a") == "A" and len(lru) == 3
    lru.touch("d")  # already the newest: nothing moves
    lru.put("e", "E", 1)
    assert lru.peek("c") is None and [lru.peek(k) for k in "ade"] == ["A", "D", "E"]
    lru.touch("zz")  # gone: no effect
    assert len(lru) == 3 and lru.size == 3


def test_size_bound_and_heavy_entries() -> None:
    lru = BoundedLRU(max_entries=10, max_size=10)
    lru.put("a", 1, 6)
    lru.put("b", 2, 6)  # a goes: 12 > 10
    assert lru.peek("a") is None and lru.size == 6
    lru.put("c", 3, 11)  # heavier than the bound: not kept
    assert lru.peek("c") is None and lru.size == 6
    lru.put("b", 4, 2)  # replacing an entry replaces its size
    assert lru.peek("b") == 4 and lru.size == 2
    lru.clear()
    assert len(lru) == 0 and lru.size == 0
    lru.touch("b")  # empty: no effect


def test_threads_keep_the_bounds() -> None:
    lru = BoundedLRU(max_entries=50, max_size=1000)

    def work(t: int) -> None:
        for i in range(2000):
            key = (t, i % 80)
            if lru.peek(key) is None:
                lru.put(key, i, 3)
            lru.touch(key)
            lru.touch((t, (i + 1) % 80))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(lru) <= 50 and lru.size == 3 * len(lru) <= 1000
