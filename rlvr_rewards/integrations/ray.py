"""Scoring a Ray Dataset at scale with Ray Data (``pip install "rlvr-rewards[ray]"``, Ray 2.40 or newer).

Contract of :func:`score_dataset`: returns a new Ray Dataset with every input column kept and these
added (an input column of the same name is replaced): ``reward`` (float64), ``reason``, ``behavior``,
``expected`` (strings), ``violations`` (list of strings) and one float64 column per component
(``component_<name>``, NaN where it does not apply). Rows keep their order (``preserve_order`` is set on
the execution context), so ``ids`` stay attached; each Ray actor builds the scorer once (plugins,
registry) and scores whole batches with ``rr.score_batch``, so results equal ``rr.score_batch`` on the
same rows exactly. Columns: ``completion_column`` (text or messages), ``truth_column`` (any truth form,
or a whole row), optional ``tools_column``; with ``json_columns=True`` the completion and truth columns
hold JSON text (useful when their values have different shapes, which Arrow cannot put in one column).
Truths and tools may be JSON text or native objects; native objects must reach the scorer as Python
objects (``ray.data.read_json(path, lines=True)``). A truth column Arrow turned into a struct (its JSON and
Parquet readers give every row every key any row has, ``null`` where it has none) has the fill dropped where
null means nothing (truth and call keys) and a ``null`` argument refused (:class:`GroundTruthError` naming the
row ``id`` and field), by :func:`rlvr_rewards.integrations.files.drop_truth_fill`; a truth or tools
column holding an Arrow type JSON has not (a timestamp from a date-like string) raises ``ConfigError``.

Resources: the scorers are a fixed pool of ``concurrency`` Ray actors, each reserving ``num_cpus`` CPUs
for the whole run; Ray Data starts them before the first row is read. Whatever CPUs they leave are all
the read tasks (``ray.data.read_json``, ``read_parquet``, ...; one CPU each) can ever get, so a pool that
takes every CPU waits forever for rows that are never read. The defaults therefore leave a CPU free:
with ``C`` the CPUs Ray Data may use (the cluster's, capped by ``DataContext.execution_options.
resource_limits.cpu``), ``concurrency = max(1, C - 1)`` actors of ``num_cpus = 1``; on a cluster of fewer
than 2 CPUs the actor reserves ``num_cpus = 0`` instead (it shares the CPU with the reads). Pass
``concurrency`` (an int, or ``(min, max)`` for an autoscaling pool) and ``num_cpus`` to override; data
already in Ray (``from_items``, ``from_pandas``: no read tasks) can use every CPU. The results do not
depend on either.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["RowScorer", "default_concurrency", "score_dataset"]


class RowScorer:
    """A Ray Data callable class: one per actor; scores a batch of rows (a ``pyarrow.Table``)."""

    def __init__(
        self,
        preset: Any = "graded",
        completion_column: str = "completion",
        truth_column: str = "ground_truth",
        tools_column: str | None = None,
        json_columns: bool = False,
        format: str | None = None,
    ) -> None:
        from rlvr_rewards.plugins import get_registry

        get_registry().parsers_for(format)  # build the plugin registry once per actor; an unknown format fails here
        self.format = format
        self.preset = preset
        self.completion_column = completion_column
        self.truth_column = truth_column
        self.tools_column = tools_column
        self.json_columns = json_columns

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        from rlvr_rewards.scoring.core import score_batch

        ids = batch.column("id").to_pylist() if "id" in batch.column_names else None
        completions = batch.column(self.completion_column).to_pylist()
        truths = _faithful_values(batch, self.truth_column, ids, check_nulls=True)
        if self.json_columns:  # heterogeneous values travel as JSON text (Arrow needs one schema per column)
            completions = [json.loads(x) for x in completions]
            truths = [json.loads(x) for x in truths]
        tools = None
        if self.tools_column is not None:  # Arrow's None fill in native tool specs is undone by rr (tools.py)
            tools = _faithful_values(batch, self.tools_column, ids, check_nulls=False)
        scored = score_batch(completions, truths, tools=tools, preset=self.preset, format=self.format)
        # explicit Arrow types: a batch whose rows have no violations must not make a list<null> column
        added: dict[str, Any] = {
            "reward": pa.array(scored.rewards, type=pa.float64()),
            "reason": pa.array(list(scored.reasons), type=pa.string()),
            "behavior": pa.array(list(scored.behaviors), type=pa.string()),
            "expected": pa.array(list(scored.expected), type=pa.string()),
            "violations": pa.array([list(v) for v in scored.violations], type=pa.list_(pa.string())),
        }
        for name, column in scored.components.items():
            added[f"component_{name}"] = pa.array(column, type=pa.float64())
        for name, column in added.items():
            where = batch.schema.get_field_index(name)
            batch = batch.append_column(name, column) if where < 0 else batch.set_column(where, name, column)
        return batch


_READ_AS_OBJECTS = (
    "read JSON Lines with ray.data.read_json(path, lines=True) (the pandas reader keeps each "
    "value as the Python object it was), or store the column as JSON text (json.dumps; the "
    "only form Parquet can hold for truths of different shapes)"
)


def _non_json_type(arrow_type: Any) -> Any:
    """The first Arrow type inside ``arrow_type`` that JSON does not have (a timestamp, date, binary...), or None."""
    import pyarrow as pa
    import pyarrow.types as pt

    if isinstance(arrow_type, pa.ExtensionType):  # Ray's pickled Python objects: the values as they were
        return None
    if (
        pt.is_string(arrow_type)
        or pt.is_large_string(arrow_type)
        or pt.is_boolean(arrow_type)
        or pt.is_integer(arrow_type)
        or pt.is_floating(arrow_type)
        or pt.is_null(arrow_type)
    ):
        return None
    if pt.is_list(arrow_type) or pt.is_large_list(arrow_type):
        return _non_json_type(arrow_type.value_type)
    if pt.is_struct(arrow_type):
        for i in range(arrow_type.num_fields):
            inner = _non_json_type(arrow_type.field(i).type)
            if inner is not None:
                return inner
        return None
    return arrow_type


def _has_struct(arrow_type: Any) -> bool:
    import pyarrow.types as pt

    if pt.is_list(arrow_type) or pt.is_large_list(arrow_type):
        return _has_struct(arrow_type.value_type)
    return bool(pt.is_struct(arrow_type))


def _faithful_values(batch: Any, column: str, ids: list[Any] | None, *, check_nulls: bool) -> list[Any]:
    """The values of ``column`` as the user wrote them, or an error when Arrow may have changed them.

    Arrow's JSON and Parquet readers turn objects into structs: every row gets every key any row has, the
    missing ones as null, and date-like strings become timestamps. A column holding a type JSON has not is
    refused; in a struct truth column the fill is dropped where null means nothing and a null argument is
    refused (naming the row and the field), by the rule Parquet files get
    (:func:`rlvr_rewards.integrations.files.drop_truth_fill`)."""
    from rlvr_rewards.errors import ConfigError

    data = batch.column(column)
    odd = _non_json_type(data.type)
    if odd is not None:
        raise ConfigError(
            f"column {column!r} was loaded as Arrow type {data.type}, which holds {odd}: Arrow's "
            f"reader converted values JSON does not have (date-like strings become timestamps), so "
            f"they cannot be read back as written; {_READ_AS_OBJECTS}"
        )
    values: list[Any] = data.to_pylist()
    if check_nulls and _has_struct(data.type):  # the rule Parquet files get too (rlvr_rewards.integrations.files)
        from rlvr_rewards.integrations.files import drop_truth_fill

        values = [
            drop_truth_fill(v, f"row id {ids[i]!r}" if ids is not None else f"row {i} of a batch", column)
            for i, v in enumerate(values)
        ]
    return values


def default_concurrency(cpus: float) -> int:
    """Scorer actors for ``cpus`` CPUs: all but one (the read tasks' CPU), at least one."""
    return max(1, int(cpus) - 1)


def _usable_cpus(ds: Any) -> float:
    """CPUs Ray Data may use for ``ds``: the cluster's, capped by the context's resource limit."""
    import ray

    if not ray.is_initialized():  # what Ray Data would do when the dataset runs
        ray.init()
    cpus = float(ray.cluster_resources().get("CPU", 0.0))  # type: ignore[no-untyped-call, unused-ignore]
    limit = ds.context.execution_options.resource_limits.cpu
    if limit is not None and math.isfinite(limit):
        cpus = min(cpus, float(limit))
    return cpus


def _ray_version() -> tuple[int, int]:
    import ray

    major, minor = (int(x) for x in re.findall(r"\d+", ray.__version__)[:2])
    return major, minor


def _pool(size: int | tuple[int, int]) -> dict[str, Any]:
    """map_batches arguments for an actor pool of ``size`` (fixed) or ``(min, max)`` actors.

    Ray 2.9-2.50 take ``concurrency`` and log a deprecation for ``compute``; from 2.51 it is the reverse."""
    if _ray_version() < (2, 51):
        return {"concurrency": size}
    from ray.data import ActorPoolStrategy

    if isinstance(size, int):
        return {"compute": ActorPoolStrategy(size=size)}
    return {"compute": ActorPoolStrategy(min_size=size[0], max_size=size[1])}


def score_dataset(
    ds: Any,
    *,
    preset: Any = "graded",
    completion_column: str = "completion",
    truth_column: str = "ground_truth",
    tools_column: str | None = None,
    concurrency: int | tuple[int, int] | None = None,
    num_cpus: float | None = None,
    batch_size: int = 4096,
    json_columns: bool = False,
    format: str | None = None,
) -> Any:
    """Score every row of a Ray Dataset (see the module contract; ``concurrency`` and ``num_cpus``
    default to leaving one CPU for reading; ``format``: the completions' tool-call format, docs/formats.md)."""
    cpus = _usable_cpus(ds) if concurrency is None or num_cpus is None else 0.0
    if concurrency is None:
        concurrency = default_concurrency(cpus)
    if num_cpus is None:
        num_cpus = 1.0 if cpus >= 2 else 0.0  # below 2 CPUs an actor holding one would starve the reads
    ds.context.execution_options.preserve_order = True
    return ds.map_batches(
        RowScorer,
        fn_constructor_kwargs={
            "preset": preset,
            "completion_column": completion_column,
            "truth_column": truth_column,
            "tools_column": tools_column,
            "json_columns": json_columns,
            "format": format,
        },
        batch_size=batch_size,
        batch_format="pyarrow",
        num_cpus=num_cpus,
        **_pool(concurrency),
    )
