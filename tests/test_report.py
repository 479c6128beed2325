"""``rlvr-rewards report`` (issue 20): one self-contained HTML page of a scored run, or of two runs compared.

What is promised (rlvr_rewards/report/*.py contracts, docs/report.md): the page is well-formed HTML with its
sections, inline CSS, no script and no external URL, every figure a base64 PNG that decodes (and the same bytes in
``--png-dir``); its numbers are ``BatchScore.summary()``'s exactly (``data-value``); the bootstrap intervals hold
their means and depend only on the seed; ``--compare`` deltas are the differences of the two runs' means, and
files that cannot be paired exit 2 naming the file; model output is escaped and cut, never written raw; without
matplotlib the command exits 2 with the install advice. A headless-browser render runs where Debian's chromium is.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import main
from rlvr_rewards.report.html import esc, untrusted
from rlvr_rewards.report.stats import bootstrap_mean, paired_bootstrap_delta

from .browser import assert_renders, needs_chromium, render
from .helpers import read_jsonl, require

EXAMPLE = Path(rr.__file__).resolve().parent / "data"
ROWS = EXAMPLE / "example_rows.jsonl"
COMPLETIONS = EXAMPLE / "example_completions.jsonl"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RUN_SECTIONS = {"meta", "rewards", "confusion", "histograms", "reasons", "groups", "worst"}
COMPARE_SECTIONS = {"meta", "deltas", "groups", "confusion", "reasons", "better", "worse"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """A strict reading of a page: tags must nest and close; sections, images, attributes and tables collected
    (a table: id -> rows, each row a list of (text, data-value or None) cells)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.sections: list[str] = []
        self.images: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self.pres: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._value: str | None = None
        self._pre: list[str] | None = None
        self.feed(text)
        self.close()
        assert self.stack == [], f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.attributes += [(tag, k, v) for k, v in values.items()]
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "section":
            self.sections.append(values["id"])
        elif tag == "img":
            self.images.append(values["src"])
        elif tag == "table":
            self._table = values.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell, self._value = [], values.get("data-value")
        elif tag == "pre":
            self._pre = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(("".join(self._cell).strip(), self._value))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "pre" and self._pre is not None:
            self.pres.append("".join(self._pre))
            self._pre = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._pre is not None:
            self._pre.append(data)

    def rows(self, table: str) -> dict[str, list[tuple[str, str | None]]]:
        """A table's body rows by their first cell's text."""
        return {row[0][0]: row for row in self.tables[table][1:]}


def _value(cell: tuple[str, str | None]) -> float:
    assert cell[1] is not None and cell[1] != "", cell
    return float(cell[1])


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _report(*argv: str) -> int:
    return main(["report", *argv])


def _score(rows_path: Path, completions: list[dict[str, Any]]) -> rr.BatchScore:
    """The batch scored independently of the report (whole rows as truths, groups by row id)."""
    rows = {r["id"]: r for r in read_jsonl(rows_path)}
    return rr.score_batch(
        [c["completion"] for c in completions],
        [rows[c["id"]] for c in completions],
        groups=[c["id"] for c in completions],
    )


@pytest.fixture(scope="module")
def run_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str, Path]:
    require("matplotlib", "report")
    out = tmp_path_factory.mktemp("report")
    code = _report(
        "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(out / "r.html"),
        "--png-dir", str(out / "png"), "--worst", "4",
    )  # fmt: skip
    assert code == 0
    text = (out / "r.html").read_text(encoding="utf-8")
    return Page(text), text, out


def _ab_files(folder: Path) -> tuple[Path, Path]:
    """Two completion files on the example rows, three completions per row: B has the correct completion where
    A has a wrong one (4 rows in 5: better), A has it where B has a wrong one (every fifth row: worse); B's rows
    are in reverse order, so pairing must go by row id and position, not by line."""
    by_row: dict[str, list[dict[str, Any]]] = {}
    for c in read_jsonl(COMPLETIONS):
        by_row.setdefault(c["id"], []).append(c)
    a, b = [], []
    for k, group in enumerate(by_row.values()):
        correct = next(c for c in group if c["label"] == "correct")
        wrong = [c for c in group if c["label"] != "correct"]
        worse = k % 5 == 0
        a.append([correct, *wrong[1:]] if worse else wrong)
        b.append(wrong if worse else [correct, *wrong[1:]])
    flat_a = [c for group in a for c in group]
    flat_b = [c for group in reversed(b) for c in group]
    return _write_jsonl(folder / "a.jsonl", flat_a), _write_jsonl(folder / "b.jsonl", flat_b)


@pytest.fixture(scope="module")
def compare_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str, Path, Path, Path]:
    require("matplotlib", "report")
    out = tmp_path_factory.mktemp("compare")
    a, b = _ab_files(out)
    code = _report(
        "--data", str(ROWS), "--compare", str(a), str(b), "--out", str(out / "c.html"),
        "--png-dir", str(out / "png"), "--worst", "3", "--seed", "7", "--resamples", "800",
    )  # fmt: skip
    assert code == 0
    text = (out / "c.html").read_text(encoding="utf-8")
    return Page(text), text, out, a, b


def _assert_self_contained(page: Page, text: str) -> None:
    assert text.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    for tag, name, value in page.attributes:
        if name in ("src", "href", "action", "srcset"):
            assert value.startswith("data:image/png;base64,") or value.startswith("#"), (tag, name, value[:80])
        assert not name.startswith("on"), (tag, name)
    assert "url(" not in text.split("</style>")[0] and "@import" not in text
    assert page.images
    for src in page.images:
        png = base64.b64decode(src.removeprefix("data:image/png;base64,"), validate=True)
        assert png.startswith(PNG_MAGIC) and len(png) > 5000
        from PIL import Image

        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width >= 300 and image.height >= 150


# --- one run -----------------------------------------------------------------------------------------------------


def test_the_page_is_well_formed_self_contained_and_has_its_sections(run_page: tuple[Page, str, Path]) -> None:
    page, text, out = run_page
    assert RUN_SECTIONS <= set(page.sections) and len(page.sections) == len(set(page.sections))
    _assert_self_contained(page, text)
    embedded = {base64.b64decode(src.removeprefix("data:image/png;base64,")) for src in page.images}
    written = {p.name: p.read_bytes() for p in (out / "png").iterdir()}
    assert set(written) == {"confusion.png", "histograms.png", "reasons.png", "group_std.png"}
    assert set(written.values()) == embedded


def test_the_numbers_are_the_summary(run_page: tuple[Page, str, Path]) -> None:
    page, _, _ = run_page
    summary = _score(ROWS, read_jsonl(COMPLETIONS)).summary()
    means = page.rows("means")
    assert _value(means["all"][1]) == summary["n"] == 240
    assert _value(means["all"][3]) == summary["mean_reward"]
    assert set(means) == {"all", *summary["mean_reward_by_expected"]}
    for e, mean in summary["mean_reward_by_expected"].items():
        assert _value(means[e][1]) == summary["count_by_expected"][e]
        assert _value(means[e][3]) == mean
    confusion = page.rows("confusion-table")
    header = [cell[0] for cell in page.tables["confusion-table"][0]]
    for e, counts in summary["confusion"].items():
        assert {header[k]: _value(cell) for k, cell in enumerate(confusion[e]) if 0 < k < len(header) - 1} == counts
    reasons = page.rows("reason-table")
    assert {code: _value(row[1]) for code, row in reasons.items()} == summary["reasons"]
    groups = page.rows("group-stats")["all"]
    g = summary["groups"]
    assert [_value(c) for c in groups[1:]] == [
        g["n_groups"],
        g["mean_group_size"],
        g["frac_zero_std"],
        g["mean_group_std"],
    ]
    components = page.rows("components")
    assert {k: _value(row[1]) for k, row in components.items()} == {
        k: v for k, v in summary["mean_components"].items() if v is not None
    }


def test_the_intervals_hold_their_means_and_are_the_seeded_bootstrap(run_page: tuple[Page, str, Path]) -> None:
    page, _, _ = run_page
    completions = read_jsonl(COMPLETIONS)
    batch = _score(ROWS, completions)
    groups = [c["id"] for c in completions]
    for name, row in page.rows("means").items():
        low, mean, high = _value(row[4]), _value(row[3]), _value(row[5])
        assert low <= mean <= high, name
        assert low < high or name == "refuse"  # every refuse row's group scores 1, 0.1, 0, 0: no spread at all
        idx = [i for i, e in enumerate(batch.expected) if name in ("all", e)]
        again = bootstrap_mean(batch.rewards[idx], [groups[i] for i in idx], seed=0)  # the command's defaults
        assert (again.low, again.high) == (low, high) and again.clusters == _value(row[2])


def test_the_example_table_in_the_docs_is_what_the_page_shows(run_page: tuple[Page, str, Path]) -> None:
    page, _, _ = run_page
    doc = (Path(__file__).resolve().parent.parent / "docs" / "report.md").read_text(encoding="utf-8")
    printed = doc.split("On the bundled example", 1)[1].split("\n\n", 2)[1].splitlines()[2:]
    shown = [[cell[0] for cell in row] for row in page.tables["means"][1:]]
    assert [[c.strip() for c in line.strip("|").split("|")] for line in printed] == shown


def test_bootstrap_is_deterministic_by_seed_and_resamples_clusters() -> None:
    rng = np.random.default_rng(1)
    values = rng.random(90)
    clusters = [i // 3 for i in range(90)]
    first = bootstrap_mean(values, clusters, seed=11, resamples=500)
    assert first == bootstrap_mean(values, clusters, seed=11, resamples=500)
    assert first != bootstrap_mean(values, clusters, seed=12, resamples=500)
    assert first.clusters == 30 and first.n == 90 and first.contains(float(values.mean()))
    # resampling clusters of perfectly correlated values is wider than resampling the values one by one
    tied = np.repeat(rng.random(30), 3)
    by_row = bootstrap_mean(tied, clusters, seed=0)
    by_value = bootstrap_mean(tied, None, seed=0)
    assert by_row.high - by_row.low > by_value.high - by_value.low
    constant = bootstrap_mean(np.full(12, 0.3), [i // 4 for i in range(12)])
    assert constant.low == constant.estimate == constant.high == float(np.full(12, 0.3).mean())
    single = bootstrap_mean([0.0, 1.0, 0.5], ["row", "row", "row"])
    assert single.degenerate and single.low == single.high == single.estimate == 0.5
    delta = paired_bootstrap_delta(values[:30], values[30:60], seed=3)
    assert delta.estimate == float(values[30:60].mean()) - float(values[:30].mean())
    assert delta.contains(delta.estimate)
    with pytest.raises(ValueError):
        bootstrap_mean([], None)


def test_the_worst_examples_are_explained(run_page: tuple[Page, str, Path]) -> None:
    page, text, _ = run_page
    completions = read_jsonl(COMPLETIONS)
    batch = _score(ROWS, completions)
    worst = sorted(range(len(batch)), key=lambda i: (float(batch.rewards[i]), i))[:4]
    rows = {r["id"]: r for r in read_jsonl(ROWS)}
    worst_html = text.split('<section id="worst">', 1)[1]
    assert worst_html.count('<div class="example">') == 4
    for i in worst:
        explanation = str(rr.explain(completions[i]["completion"], rows[completions[i]["id"]]))
        assert explanation in page.pres
        assert esc(explanation) in worst_html
        assert esc(f"row id '{completions[i]['id']}'") in worst_html


# --- two runs ----------------------------------------------------------------------------------------------------


def test_compare_page_sections_and_figures(compare_page: tuple[Page, str, Path, Path, Path]) -> None:
    page, text, out, _, _ = compare_page
    assert COMPARE_SECTIONS <= set(page.sections)
    _assert_self_contained(page, text)
    assert {p.name for p in (out / "png").iterdir()} == {"deltas.png", "confusion.png"}


def test_compare_deltas_are_the_differences_of_the_means(compare_page: tuple[Page, str, Path, Path, Path]) -> None:
    page, _, _, a, b = compare_page
    sa, sb = _score(ROWS, read_jsonl(a)).summary(), _score(ROWS, read_jsonl(b)).summary()
    deltas = page.rows("deltas")
    assert set(deltas) == {"all", *sa["mean_reward_by_expected"]}
    for name, row in deltas.items():
        mean_a = sa["mean_reward"] if name == "all" else sa["mean_reward_by_expected"][name]
        mean_b = sb["mean_reward"] if name == "all" else sb["mean_reward_by_expected"][name]
        assert (_value(row[3]), _value(row[4])) == (mean_a, mean_b)
        assert _value(row[5]) == mean_b - mean_a
        assert _value(row[6]) <= _value(row[5]) <= _value(row[7])
    assert _value(deltas["all"][1]) == 180 and _value(deltas["all"][2]) == 60
    for run, summary in (("a", sa), ("b", sb)):
        table = page.rows(f"confusion-{run}")
        assert {e: _value(row[-1]) for e, row in table.items()} == summary["count_by_expected"]


def test_compare_lists_the_rows_that_got_better_and_worse(compare_page: tuple[Page, str, Path, Path, Path]) -> None:
    _, text, _, _, _ = compare_page
    better = text.split('<section id="better">', 1)[1].split("</section>", 1)[0]
    worse = text.split('<section id="worse">', 1)[1].split("</section>", 1)[0]
    assert better.count('<div class="example">') == 3 and worse.count('<div class="example">') == 3
    for part in (better, worse):
        assert part.count('<div class="pair">') == 3 and part.count("explanation (rr.explain)") == 6
    # every fifth row lost its correct completion: those are the worse ones, the others the better ones
    ids = list(dict.fromkeys(c["id"] for c in read_jsonl(COMPLETIONS)))
    fell = {rid for k, rid in enumerate(ids) if k % 5 == 0}
    listed = {
        part: re.findall(r"<h3>#\d+</h3><p>row id &#x27;([^&]+)&#x27;", html)
        for part, html in (("better", better), ("worse", worse))
    }
    assert len(listed["worse"]) == 3 and set(listed["worse"]) <= fell
    assert len(listed["better"]) == 3 and not set(listed["better"]) & fell


def test_compare_files_that_cannot_be_paired_exit_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require("matplotlib", "report")
    completions = read_jsonl(COMPLETIONS)
    wrong = _write_jsonl(tmp_path / "base.jsonl", [c for c in completions if c["label"] != "correct"])
    right = _write_jsonl(tmp_path / "tuned.jsonl", [c for c in completions if c["label"] == "correct"])
    out = tmp_path / "c.html"
    assert _report("--data", str(ROWS), "--compare", str(wrong), str(right), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.startswith("rlvr-rewards: error: --compare ") and str(right) in err and "cannot be paired" in err
    assert "row id 'ex-001' has 1 completion(s)" in err and "\n" == err[-1] and "Traceback" not in err
    assert not out.exists()


# --- untrusted text, errors --------------------------------------------------------------------------------------


def test_hostile_completions_are_escaped_and_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require("matplotlib", "report")
    rows = read_jsonl(ROWS)[:4]
    script = "<script>alert(1)</script>"
    call = json.dumps({"name": script, "arguments": {"x": script}})
    hostile = [
        {"id": rows[0]["id"], "completion": script + "A" * 100_000},
        {"id": rows[1]["id"], "completion": f"<tool_call>{call}</tool_call>"},
        {"id": rows[2]["id"], "completion": '<img src=x onerror="alert(1)">\x00\ud800'},
        {"id": rows[3]["id"], "completion": {"role": "assistant", "content": script}, "label": script},
    ]
    data = _write_jsonl(tmp_path / "rows.jsonl", rows)
    comps = tmp_path / "hostile.jsonl"
    comps.write_text("".join(json.dumps(c) + "\n" for c in hostile), encoding="utf-8")
    out = tmp_path / "h.html"
    assert _report("--data", str(data), "--completions", str(comps), "--out", str(out), "--worst", "4") == 0
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    _assert_self_contained(page, text)
    assert "<script" not in text.lower() and "<img src=x" not in text  # the page's own images are data: URIs
    assert esc(script) in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\\x00\\ud800" in text
    assert "A" * 3000 in text and "A" * 5000 not in text
    assert "more characters not shown; 100,025 in all" in text
    assert len(text.encode("utf-8")) < 400_000
    captured = capsys.readouterr()
    assert script not in captured.out + captured.err and "A" * 100 not in captured.out + captured.err


def test_untrusted_text_helpers() -> None:
    assert esc('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
    assert esc("a\x00b\x1bc\ud800") == "a\\x00b\\x1bc\\ud800"
    assert untrusted("x" * 10, 10) == "x" * 10
    cut = untrusted("<" * 25, 10)
    assert cut.startswith("&lt;" * 10 + "\n… [15 more characters not shown; 25 in all]")
    assert untrusted({"content": "<b>"}, 100) == esc(json.dumps({"content": "<b>"}, indent=1))


def test_without_matplotlib_the_command_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    out = tmp_path / "r.html"
    assert _report("--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(out)) == 2
    assert "pip install 'rlvr-rewards[report]'" in capsys.readouterr().err
    assert not out.exists()


def test_bad_options_fail_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require("matplotlib", "report")
    base = ["--data", str(ROWS), "--completions", str(COMPLETIONS)]
    assert _report(*base, "--out", str(tmp_path / "no" / "r.html")) == 2
    assert "the folder" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert _report(*base, "--out", str(tmp_path / "r.html"), "--png-dir", str(tmp_path / "file")) == 2
    assert "--png-dir" in capsys.readouterr().err
    assert _report(*base, "--out", str(tmp_path / "r.html"), "--preset", "no-such-preset") == 2
    assert "no-such-preset" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(SystemExit) as exited:
        _report(*base, "--compare", "a", "b", "--out", str(tmp_path / "r.html"))
    assert exited.value.code == 2
    with pytest.raises(SystemExit):
        _report(*base, "--out", str(tmp_path / "r.html"), "--worst", "0")


# --- a real browser ------------------------------------------------------------------------------------------------


@pytest.mark.slow
@needs_chromium
def test_a_headless_browser_renders_the_page_and_its_figures(run_page: tuple[Page, str, Path], tmp_path: Path) -> None:
    page, _, out = run_page
    seen = assert_renders(out / "r.html", tmp_path, min_images=len(page.images))
    assert len(seen.images) == len(page.images)
    assert seen.title


@pytest.mark.slow
@needs_chromium
def test_a_headless_browser_renders_the_compare_page(
    compare_page: tuple[Page, str, Path, Path, Path], tmp_path: Path
) -> None:
    page, _, out, _, _ = compare_page
    seen = assert_renders(out / "c.html", tmp_path, min_images=len(page.images))
    assert len(seen.images) == len(page.images)


@needs_chromium
def test_the_browser_probe_sees_an_image_that_does_not_decode(tmp_path: Path) -> None:
    """The probe can fail: a page whose image is not a PNG is reported undecoded (run where chromium is)."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><head><title>t</title></head><body><img src="data:image/png;base64,AAAA"></body></html>')
    (image,) = render(bad, tmp_path).images
    assert image[1:] == (0, 0)
    with pytest.raises(AssertionError, match="could not show"):
        assert_renders(bad, tmp_path, min_images=1)


# --- --scores: the scores `score --out` wrote, read back instead of scoring again ------------------------------


def _tables_without_meta(page: Page) -> dict[str, Any]:
    return {k: v for k, v in page.tables.items() if k not in ("facts", "inputs")}


def test_scores_read_back_are_the_scored_run(tmp_path: Path) -> None:
    from rlvr_rewards.integrations.runs import load_rows, read_completions, read_scores, score_completions

    scores = tmp_path / "s.jsonl"
    assert main(["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(scores)]) == 0
    found = read_completions(load_rows(str(ROWS)), str(COMPLETIONS), "--completions")
    scored = score_completions(found, "graded")
    back = read_scores(found, str(scores), "--scores", "graded", None)
    assert back.batch.summary() == scored.batch.summary()
    assert [s.to_dict() for s in back.batch] == [s.to_dict() for s in scored.batch]


def test_report_from_scores_shows_what_scoring_again_shows(run_page: tuple[Page, str, Path], tmp_path: Path) -> None:
    page, _, _ = run_page
    scores = tmp_path / "s.jsonl"
    assert main(["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(scores)]) == 0
    out = tmp_path / "from-scores.html"
    code = _report(
        "--data", str(ROWS), "--completions", str(COMPLETIONS), "--scores", str(scores), "--out", str(out),
        "--worst", "4",
    )  # fmt: skip
    assert code == 0
    again = Page(out.read_text(encoding="utf-8"))
    assert _tables_without_meta(again) == _tables_without_meta(page)
    listed = {row[0][0]: row for row in again.tables["inputs"][1:]}
    assert str(scores) in listed["--scores"][1][0] and len(listed["--scores"][2][0]) == 64  # path and SHA-256
    assert again.images and len(again.images) == len(page.images)


def test_compare_from_scores_shows_what_scoring_again_shows(
    compare_page: tuple[Page, str, Path, Path, Path], tmp_path: Path
) -> None:
    page, _, _, a, b = compare_page
    made = []
    for path in (a, b):
        made.append(tmp_path / f"{path.stem}.scores.jsonl")
        assert main(["score", "--data", str(ROWS), "--completions", str(path), "--out", str(made[-1])]) == 0
    out = tmp_path / "c.html"
    code = _report(
        "--data", str(ROWS), "--compare", str(a), str(b), "--scores", *map(str, made), "--out", str(out),
        "--worst", "3", "--seed", "7", "--resamples", "800",
    )  # fmt: skip
    assert code == 0
    assert _tables_without_meta(Page(out.read_text(encoding="utf-8"))) == _tables_without_meta(page)


def test_scores_that_do_not_belong_to_the_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scores = tmp_path / "s.jsonl"
    assert main(["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(scores)]) == 0
    changed = tmp_path / "c.jsonl"
    changed.write_text(COMPLETIONS.read_text(encoding="utf-8").replace("Paris", "Lyon"), encoding="utf-8")
    out = str(tmp_path / "r.html")
    capsys.readouterr()
    common = ["--data", str(ROWS), "--out", out]
    assert _report(*common, "--completions", str(changed), "--scores", str(scores)) == 2
    err = capsys.readouterr().err
    assert f"--scores {scores}" in err and "SHA-256" in err and f"--completions {changed}" in err
    assert _report(*common, "--completions", str(COMPLETIONS), "--scores", str(scores), "--preset", "binary") == 2
    assert "were made with preset 'graded'" in capsys.readouterr().err
    assert _report(*common, "--completions", str(COMPLETIONS), "--scores", str(scores), str(scores)) == 2
    assert "got 2 file(s) for 1 completion file(s)" in capsys.readouterr().err
    short = tmp_path / "short.jsonl"
    short.write_text("".join(scores.read_text().splitlines(keepends=True)[:-1]))  # no metadata beside it
    assert _report(*common, "--completions", str(COMPLETIONS), "--scores", str(short)) == 2
    assert "holds 239 score line(s) for the 240 completion(s)" in capsys.readouterr().err
    limited = tmp_path / "limited.jsonl"
    args = ["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(limited), "--limit", "5"]
    assert main(args) == 0
    capsys.readouterr()
    assert _report(*common, "--completions", str(COMPLETIONS), "--scores", str(limited)) == 2
    assert "scored only the first 5 completions" in capsys.readouterr().err
