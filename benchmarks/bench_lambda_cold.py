"""A cold reward Lambda: the built artifact with its bytecode against the same artifact as sources only.

Lambda's ``/var/task`` is read-only, so a zip without ``.pyc`` files compiles every module it imports on every
cold start. ``rlvr-rewards lambda build`` compiles them into the zip when it runs on the target's Python
(``rlvr_rewards.aws_lambda.build.compile_bytecode``). This builds the artifact for this interpreter, extracts it
twice (as built, and with every ``__pycache__`` removed) and times fresh interpreters started as the runtime
starts the handler (``-S -E -s``, and ``-B``: nothing is written, as on a read-only file system), interleaved,
median of ``--repeats`` rounds:

- ``import``: ``import lambda_function`` (the init phase);
- ``first event``: the import and ``warm_up()`` (every stage on one sample: what the first event pays);
- a bare interpreter (``pass``) as the baseline of both.

``python benchmarks/bench_lambda_cold.py --update-readme`` rewrites the "lambda-cold" block of
benchmarks/README.md. Building downloads the locked wheels once (``--wheel-dir`` keeps them).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from bench_throughput import update_readme  # noqa: E402

__all__ = ["extract", "measure"]

_IMPORT = "import sys; sys.path.insert(0, sys.argv[1]); import lambda_function"
_FIRST_EVENT = _IMPORT + "; from rlvr_rewards.aws_lambda import warm_up; warm_up()"


def extract(zip_path: Path, dest: Path, bytecode: bool) -> Path:
    """The artifact extracted into ``dest``, without its ``__pycache__`` folders unless ``bytecode``."""
    zipfile.ZipFile(zip_path).extractall(dest)
    if not bytecode:
        for cache in sorted(dest.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)
    return dest


def _run(code: str, root: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-S", "-E", "-s", "-B", "-c", code, str(root)], check=True, cwd=root, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def measure(with_bytecode: Path, sources_only: Path, repeats: int = 5) -> dict[str, Any]:
    """Median wall seconds of each start, interleaved, and the ratios the README reports."""
    runs = {
        "import/bytecode": (_IMPORT, with_bytecode),
        "import/sources": (_IMPORT, sources_only),
        "first/bytecode": (_FIRST_EVENT, with_bytecode),
        "first/sources": (_FIRST_EVENT, sources_only),
        "bare": ("pass", sources_only),
    }
    for code, root in runs.values():  # warm the file system cache
        _run(code, root)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (code, root) in runs.items():
            times[name].append(_run(code, root))
    t = {name: statistics.median(ts) for name, ts in times.items()}
    return {
        "ms": {name: v * 1e3 for name, v in t.items()},
        "import_ratio": t["import/bytecode"] / t["import/sources"],
        "first_event_ratio": t["first/bytecode"] / t["first/sources"],
        "first_event_over_bare": {
            "bytecode": t["first/bytecode"] / t["bare"],
            "sources": t["first/sources"] / t["bare"],
        },
    }


def markdown(rep: dict[str, Any], command: str, modules: int) -> str:
    ms = rep["ms"]
    return "\n".join(
        [
            f"Command: `{command}` ({modules} modules compiled into the zip).",
            "",
            "| fresh interpreter, `-S -E -s -B` (median, interleaved) | bytecode in the zip | sources only | "
            "bytecode / sources |",
            "|---|---:|---:|---:|",
            f"| `import lambda_function` | {ms['import/bytecode']:.0f} ms | {ms['import/sources']:.0f} ms | "
            f"{rep['import_ratio']:.2f}x |",
            f"| the import and a first event (`warm_up()`) | {ms['first/bytecode']:.0f} ms | "
            f"{ms['first/sources']:.0f} ms | {rep['first_event_ratio']:.2f}x |",
            f"| a bare interpreter (`pass`) | {ms['bare']:.0f} ms | | |",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--wheel-dir", type=Path, default=None, help="keep (and reuse) the locked wheels here")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)
    from rlvr_rewards.aws_lambda.build import build_artifact, local_arch

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    with tempfile.TemporaryDirectory(prefix="rlvr-cold-") as tmp:
        root = Path(tmp)
        built = build_artifact(root / "build", python=python, arch=local_arch(), wheel_dir=args.wheel_dir, log=None)
        if built.bytecode is None:
            raise SystemExit("the build wrote no bytecode for this interpreter")
        with zipfile.ZipFile(built.zip_path) as zf:
            modules = sum(n.endswith(".pyc") for n in zf.namelist())
        with_bytecode = extract(built.zip_path, root / "bytecode", bytecode=True)
        rep = measure(with_bytecode, extract(built.zip_path, root / "sources", bytecode=False), args.repeats)
    command = "python benchmarks/bench_lambda_cold.py" + (f" --repeats {args.repeats}" if args.repeats != 5 else "")
    block = markdown(rep, command, modules)
    print(block)
    if args.update_readme:
        update_readme(block, marker="lambda-cold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
