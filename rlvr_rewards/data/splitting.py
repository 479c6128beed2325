"""A train / held-out split without prompt leakage (``rlvr-rewards data split``).

Contract: :func:`split` ``(rows, *, held_out=0.1, seed=0)`` returns ``(train, held_out_rows)``, each a list of
the given row objects in their input order; every row is on exactly one side; the input is not changed.

- **Loading.** Every row is first loaded as scoring loads it, so both sides score (a row that would not raises
  :class:`~rlvr_rewards.errors.GroundTruthError` / :class:`~rlvr_rewards.errors.ToolSpecError` with its ``index``
  and ``field``, the message naming the row).
- **Groups** (:func:`split_groups`): rows always land on the same side when they are linked, directly or through
  other rows, by
  - the same user text: their user messages (a rendered-string prompt: its whole text) equal after collapsing
    whitespace and folding case (so two rows asking the same thing under other system prompts or tools are
    linked too);
  - derivation: a row and the row named by its ``extra_info.derived.from`` (:func:`rlvr_rewards.data.augment`)
    or its ``extra_info.pivot.source_id`` (:func:`rlvr_rewards.data.pivots`), and so every row derived from
    the same source. Links go by ``id``: a row without an id is linked by its text only.
- **Assignment.** The held-out side gets about ``held_out`` of the rows: its target is ``round(held_out * n)``,
  at least 1 and at most ``n - 1`` (when there are two groups or more). The groups, ordered by their smallest
  key, are shuffled by a generator seeded with ``seed``; each group in that order joins the held-out side when it
  still fits the target, else the training side. The same rows and seed give the same split whatever the rows'
  order (but for rows with neither an id nor a prompt, named by their index). The held-out side can fall short
  of the target when the groups are large, and is empty when all the rows form one group.
- ``held_out`` outside (0, 1) is a :class:`~rlvr_rewards.errors.ConfigError`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from rlvr_rewards.data._rows import links, load_rows, prompt_key, prompt_of, user_key
from rlvr_rewards.errors import ConfigError

__all__ = ["split", "split_groups"]


class _Groups:
    """Union-find over keys (``text:...``, ``id:...``)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:  # path compression
            nxt = self.parent[key]
            self.parent[key] = root
            key = nxt
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smallest key is the root: independent of order


def _keys(row: Any, index: int) -> list[str]:
    """The keys a row is linked by (module contract); the first one is the row's own (``~`` sorts after the
    others, so a group is named by a text or an id whenever it has one)."""
    keys = [f"~row:{index}"]
    if not isinstance(row, Mapping):
        return keys
    prompt = prompt_of(row)
    text = user_key(prompt) or prompt_key(prompt)
    if text:
        keys.append("text:" + text)
    if row.get("id") is not None:
        keys.append(f"id:{row['id']}")
    keys += [f"id:{source}" for source in links(row)]
    return keys


def split_groups(rows: Sequence[Any]) -> list[str]:
    """Each row's group, named by the group's smallest key: ``text:<normalised user text>``, ``id:<id>``, or
    ``~row:<index>`` for a row with neither (rows of one group always land on the same side)."""
    groups = _Groups()
    keyed = [_keys(row, i) for i, row in enumerate(rows)]
    for keys in keyed:
        for key in keys[1:]:
            groups.union(keys[0], key)
    return [groups.find(keys[0]) for keys in keyed]


def split(rows: Sequence[Any], *, held_out: float = 0.1, seed: int = 0) -> tuple[list[Any], list[Any]]:
    """``(train, held_out_rows)`` (see the module contract)."""
    if not 0 < held_out < 1:
        raise ConfigError(
            f"held_out {held_out!r}: expected the share of rows to hold out, a number between 0 and 1 (e.g. 0.1)"
        )
    load_rows(rows)
    group_of = split_groups(rows)
    sizes: dict[str, int] = {}
    for group in group_of:
        sizes[group] = sizes.get(group, 0) + 1
    order = sorted(sizes)
    random.Random(f"rlvr-rewards split {seed}").shuffle(order)
    n = len(rows)
    target = min(max(round(held_out * n), 1), n - 1) if len(sizes) > 1 else 0
    chosen: set[str] = set()
    taken = 0
    for group in order:
        if taken + sizes[group] <= target:
            chosen.add(group)
            taken += sizes[group]
    train = [row for row, group in zip(rows, group_of, strict=True) if group not in chosen]
    held = [row for row, group in zip(rows, group_of, strict=True) if group in chosen]
    return train, held
