"""`curate report`: rendered in real headless chromium; every section and plot present, nothing
fetched from the network, document text escaped, numbers consistent with stats and shards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import run_curate

from curation.report import collect, funnel_series
from curation.report_html import write_report
from curation.report_html import PLOTS, SECTIONS

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Attributes that make a browser fetch something (xmlns is a name, never fetched).
FETCHING_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "formaction", "poster", "data", "background", "manifest", "ping"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_data) -> Path:
    """A build-shards output folder from real text (tests/fixture_build.py)."""
    from fixture_build import build

    return build(shared_data / "books", tmp_path_factory.mktemp("report") / "out")


@pytest.fixture(scope="module")
def report(built) -> Path:
    res = run_curate("report", str(built))
    assert res.returncode == 0, res.stderr
    return built / "report.html"


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("no chromium under CI: .ci/system-deps should have installed it")
    pytest.skip("no headless browser installed (apt-get install chromium)")


def _chromium(page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    """Headless chromium with its own background traffic switched off as far as flags allow."""
    args = [
        _browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}", *extra, page.resolve().as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page asked for: requests whose network isolation key is the file:// page
    (chromium's own update and account pings carry another key)."""
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start and "file://" in e.get("params", {}).get("network_isolation_key", "")
    ]


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k in FETCHING_ATTRS and v:
                self.urls.append(v)
            if k == "style" and v and "url(" in v:
                self.urls.append(v)

    def handle_data(self, data):
        if "url(" in data or "@import" in data:
            self.urls.append(data)


def _parse(html: str) -> _Resources:
    p = _Resources()
    p.feed(html)
    return p


def test_report_in_chromium_has_every_section_and_plot_and_fetches_nothing(report, tmp_path):
    netlog = tmp_path / "netlog.json"
    res = _chromium(report, tmp_path, "--dump-dom", f"--log-net-log={netlog}")
    assert res.returncode == 0, res.stderr[-2000:]
    dom = _parse(res.stdout)
    for s in SECTIONS:
        assert s in dom.ids, f"section {s} missing from the rendered DOM"
    for name in PLOTS:
        assert f"plot-{name}" in dom.ids, f"plot {name} missing"
    # Each plot is an inline SVG the browser parsed as such.
    assert dom.tags.count("svg") == len(PLOTS)
    assert not {"script", "img", "link", "iframe", "object", "embed"} & set(dom.tags)
    assert _page_requests(netlog) == []
    # Only in-page anchors and namespace names: nothing the browser would fetch.
    assert all(u.startswith("#") for u in _parse(report.read_text()).urls)


def test_network_check_sees_a_page_that_fetches(tmp_path):
    # The netlog check must catch what it is meant to catch: a page with an external image.
    page = tmp_path / "fetching.html"
    page.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>')
    res = _chromium(page, tmp_path, "--dump-dom", f"--log-net-log={tmp_path / 'net.json'}")
    assert res.returncode == 0
    assert _page_requests(tmp_path / "net.json") == ["http://example.invalid/x.png"]


def test_report_screenshot_is_drawn(report, tmp_path):
    shot = tmp_path / "shot.png"
    res = _chromium(report, tmp_path, f"--screenshot={shot}", "--window-size=1200,3000")
    assert res.returncode == 0, res.stderr[-2000:]
    import numpy as np
    from PIL import Image  # matplotlib's own dependency

    gray = np.asarray(Image.open(shot).convert("L"))
    # Bars, text and plots: a good share of the page is not background white.
    assert (gray < 200).mean() > 0.02


def test_examples_are_escaped_and_carry_rule_values(report, built):
    html = report.read_text()
    # The rejected raw HTML pages appear as text, never as markup.
    assert "&lt;" in html and "<script" not in html.lower()
    rejected = pq.read_table(built / "rejected").to_pylist()
    reasons = {r["reason"] for r in rejected}
    for reason in reasons:
        assert f">{reason} <span" in html, f"no examples heading for {reason}"
    short = next(r for r in rejected if r["reason"] == "quality/gopher_short_doc")
    assert ">gopher_quality_v1</th>" in html
    assert "n_words" in html and "min_words" in html
    assert short["source"] in html


def test_funnel_tokens_match_shards_and_rejected(built):
    data = collect(built)
    manifest = json.loads((built / "manifest.json").read_text())
    order, d_in, d_out, t_in, t_out = funnel_series(data)
    stats = json.loads((built / "stats.json").read_text())
    assert d_in == [stats["stages"][s]["in"] for s in order]
    i_tok = order.index("tokenize")
    assert t_out[i_tok] == manifest["totals"]["tokens"] == int(data.after_lengths.sum())
    assert t_in[order.index("read")] is None and t_in[order.index("extract")] is None
    # Tokens entering language ID = every later document's length, kept or removed.
    assert t_in[order.index("langid")] == pytest.approx(sum(data.before_lengths) + manifest["totals"]["tokens"])
    assert data.clusters["exact"] and max(data.clusters["exact"]) >= 4


def test_sampled_token_counts_are_estimates_close_to_exact(built, tmp_path):
    exact = collect(built)
    sampled = collect(built, token_budget=60_000)
    assert 0 < sampled.sample_fraction < 1
    assert len(sampled.before_lengths) < len(exact.before_lengths)
    for stage, n in exact.removed_tokens.items():
        if n > 20_000:
            assert sampled.removed_tokens.get(stage, 0) == pytest.approx(n, rel=0.5)
    out = write_report(built, tmp_path / "sampled.html", token_budget=60_000)
    assert "estimated from a" in out.read_text()


def test_report_is_deterministic(built, tmp_path):
    a = write_report(built, tmp_path / "a.html").read_bytes()
    b = write_report(built, tmp_path / "b.html").read_bytes()
    assert a == b


def test_report_on_missing_folder_exits_2(tmp_path):
    res = run_curate("report", str(tmp_path / "nope"))
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1


def test_report_on_the_sample_build_in_chromium(sample_build, tmp_path):
    out = tmp_path / "sample-report.html"
    res = run_curate("report", str(sample_build), "--output", str(out))
    assert res.returncode == 0, res.stderr
    netlog = tmp_path / "netlog.json"
    res = _chromium(out, tmp_path, "--dump-dom", f"--log-net-log={netlog}")
    assert res.returncode == 0, res.stderr[-2000:]
    dom = _parse(res.stdout)
    assert set(SECTIONS) <= dom.ids
    assert {f"plot-{p}" for p in PLOTS} <= dom.ids
    assert _page_requests(netlog) == []
    stats = json.loads((sample_build / "stats.json").read_text())
    for reason, n in stats["stages"]["quality"]["removed"].items():
        assert f">{reason} <span" in out.read_text() and n > 0
