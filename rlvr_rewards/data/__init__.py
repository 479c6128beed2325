"""Dataset tools, and the bundled example data (this folder's JSON Lines files, described in its README.md).

- :func:`pivots` (:mod:`rlvr_rewards.data.pivots`): trajectory rows cut into single-step rows, one per step of
  the expected trajectory; ``rlvr-rewards data pivots --data IN --out OUT`` (:mod:`rlvr_rewards.data.cli`).
- :func:`stats` (:mod:`rlvr_rewards.data.dataset_stats`): the behaviour mix against a target (and the rows to add
  or drop to reach it), tool coverage, duplicate prompts, truth/schema contradictions; ``data stats``.
- :func:`augment` / :func:`augment_report` (:mod:`rlvr_rewards.data.augmentation`): clarify rows (a required
  parameter's value cut from the request) and refuse rows (the called tools removed) derived from execute rows;
  ``data augment``.
- :func:`split` / :func:`split_groups` (:mod:`rlvr_rewards.data.splitting`): a train / held-out split in which
  rows with the same user text, or derived from the same source, stay on one side; ``data split``.
- The example files stay package data, found as before: ``importlib.resources.files("rlvr_rewards") / "data" /
  "example_rows.jsonl"`` (or ``files("rlvr_rewards.data")``, which imports this package).

``pivots`` is imported here, eagerly, on purpose: the function and its module share the name, and importing the
package first binds the function, so ``rlvr_rewards.data.pivots`` is the function whichever of the two was
imported first (a lazy attribute would be replaced by the module as soon as anything imported the module). The
module itself is ``sys.modules["rlvr_rewards.data.pivots"]`` (``import rlvr_rewards.data.pivots as m`` gives the
function); ``from rlvr_rewards.data.pivots import PLACEHOLDER`` reads the module as usual. The other tools'
modules are named apart from their functions (``dataset_stats``, ``augmentation``, ``splitting``), so
``rlvr_rewards.data.stats`` is always the function and ``rlvr_rewards.data.dataset_stats`` the module.
"""

from __future__ import annotations

from rlvr_rewards.data.augmentation import Augmented, augment, augment_report
from rlvr_rewards.data.dataset_stats import DatasetStats, parse_target, stats
from rlvr_rewards.data.pivots import PLACEHOLDER, pivots
from rlvr_rewards.data.splitting import split, split_groups
from rlvr_rewards.data.system_prompt import TOOL_PROMPT_FAMILIES, render_tools_into_prompt, render_tools_into_row

__all__ = [
    "PLACEHOLDER",
    "TOOL_PROMPT_FAMILIES",
    "Augmented",
    "DatasetStats",
    "augment",
    "augment_report",
    "parse_target",
    "pivots",
    "render_tools_into_prompt",
    "render_tools_into_row",
    "split",
    "split_groups",
    "stats",
]
