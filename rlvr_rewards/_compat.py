"""The import paths of the 0.1 layout, kept for one release.

Modules that sat flat at the package root now live in the folder of their stage (docs/architecture.md):
``rlvr_rewards.truth`` is ``rlvr_rewards.groundtruth.truths``, and so on (:data:`MOVED`). Importing an old
path gives the new module itself, the same object under both names (a patch through either is seen by
both), with a :class:`DeprecationWarning` that names the new path. The old paths go in the next release.

:func:`install` puts the finder on ``sys.meta_path`` (``rlvr_rewards/__init__.py`` calls it). This module
imports nothing of the package: a new module is imported only when its old name is.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["MOVED", "install"]

#: old module path -> new module path
MOVED: dict[str, str] = {
    "rlvr_rewards.behavior": "rlvr_rewards.classify.behavior",
    "rlvr_rewards.behavior_eval": "rlvr_rewards.classify.evaluation",
    "rlvr_rewards.bfcl": "rlvr_rewards.groundtruth.bfcl",
    "rlvr_rewards.fastschema": "rlvr_rewards.groundtruth.fastschema",
    "rlvr_rewards.matchers": "rlvr_rewards.groundtruth.matchers",
    "rlvr_rewards.tools": "rlvr_rewards.groundtruth.toolspecs",
    "rlvr_rewards.truth": "rlvr_rewards.groundtruth.truths",
    "rlvr_rewards.userregex": "rlvr_rewards.groundtruth.userregex",
    "rlvr_rewards.validate": "rlvr_rewards.groundtruth.validate",
    "rlvr_rewards.io": "rlvr_rewards.integrations.files",
    "rlvr_rewards.jsonsafe": "rlvr_rewards.util.jsonsafe",
    "rlvr_rewards.keymemo": "rlvr_rewards.util.keymemo",
    "rlvr_rewards.locks": "rlvr_rewards.util.locks",
    "rlvr_rewards.lru": "rlvr_rewards.util.lru",
    "rlvr_rewards.presets": "rlvr_rewards.combine.presets",
    "rlvr_rewards.reasons": "rlvr_rewards.scoring.reasons",
    "rlvr_rewards.result": "rlvr_rewards.scoring.result",
}


class _MovedLoader:
    """Loads an old path as the module at its new path (``create_module`` returns that module; the import
    system keeps its own ``__name__`` and ``__spec__``, since they are set, and files it under the old name)."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} has moved to {self.new}; import it from there (the old path goes in the next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was executed under its new name."""


class _MovedFinder:
    """A ``sys.meta_path`` finder for the paths of :data:`MOVED` only."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return ModuleSpec(fullname, _MovedLoader(new))  # type: ignore[arg-type]


_FINDER = _MovedFinder()


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
