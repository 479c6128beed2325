"""Dataset tools, and the bundled example data (this folder's JSON Lines files, described in its README.md).

- :func:`pivots` (:mod:`rlvr_rewards.data.pivots`): trajectory rows cut into single-step rows, one per step of
  the expected trajectory; ``rlvr-rewards data pivots --data IN --out OUT`` (:mod:`rlvr_rewards.data.cli`).
- The example files stay package data, found as before: ``importlib.resources.files("rlvr_rewards") / "data" /
  "example_rows.jsonl"`` (or ``files("rlvr_rewards.data")``, which imports this package).

``pivots`` is imported here, eagerly, on purpose: the function and its module share the name, and importing the
package first binds the function, so ``rlvr_rewards.data.pivots`` is the function whichever of the two was
imported first (a lazy attribute would be replaced by the module as soon as anything imported the module). The
module itself is ``sys.modules["rlvr_rewards.data.pivots"]`` (``import rlvr_rewards.data.pivots as m`` gives the
function); ``from rlvr_rewards.data.pivots import PLACEHOLDER`` reads the module as usual.
"""

from __future__ import annotations

from rlvr_rewards.data.pivots import PLACEHOLDER, pivots

__all__ = ["PLACEHOLDER", "pivots"]
