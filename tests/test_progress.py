"""Live progress: workers' heartbeats summed by the CLI's watcher while a Beam pipeline runs."""

from __future__ import annotations

import threading

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from curation import progress
from curation.document import Document
from filters.base import run_chain
from filters.gopher_quality import GopherQuality
from pipelines.transforms import ApplyFilters


def test_record_is_a_no_op_without_a_watcher():
    assert progress._dir is None
    progress.record("quality", "in")
    assert progress._beat is None


def test_threads_add_up_exactly_and_lines_are_emitted():
    lines: list[str] = []
    with progress.watch(interval=0.2, emit=lines.append) as w:
        def work():
            for _ in range(5000):
                progress.record("quality", "in")
                progress.record("quality", "out")
                progress.record("quality", "metric", "bytes_in", 10)
                progress.record("quality", "metric", "not_shown", 1)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert w.totals() == {"quality": {"in": 20000, "out": 20000, "bytes_in": 200000}}
    assert lines[-1].startswith("progress ") and "quality 20,000 in 20,000 kept (200.0 kB)" in lines[-1]
    assert not w.directory.exists()  # the heartbeat folder is removed
    assert progress._dir is None


def test_format_orders_stages_and_shows_removals():
    line = progress.format_progress(
        {"quality": {"in": 10, "out": 7, "removed": 3}, "read": {"in": 12, "out": 10, "failed": 2, "bytes_in": 2_500_000}}, 65
    )
    assert line == "progress 1:05  read 12 in 10 kept 2 failed (2.5 MB) | quality 10 in 7 kept 3 removed"


def test_a_beam_pipeline_reports_progress_from_its_worker_processes(shared_data):
    # multi_processing: the workers are other processes, reached through the environment.
    text = next((shared_data / "books" / "pg11").glob("*.txt")).read_text(encoding="utf-8")
    paras = [p for p in text.split("\n\n") if p.strip()][:300]
    docs = [Document(f"pg11#{i}", p, "books") for i, p in enumerate(paras)]
    gopher = GopherQuality()
    gopher.setup()
    kept = sum(1 for d in docs if run_chain(d, [gopher], "quality").keep)
    lines: list[str] = []
    opts = PipelineOptions(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    with progress.watch(interval=0.5, emit=lines.append) as w:
        with beam.Pipeline(options=opts) as p:
            _ = p | beam.Create(docs) | beam.Reshuffle() | ApplyFilters("quality", [GopherQuality()])
    st = w.totals()["quality"]
    assert st["in"] == len(docs) and st["out"] == kept and st["removed"] == len(docs) - kept
    assert st["bytes_in"] == sum(len(p.encode("utf-8")) for p in paras)
    assert lines and "quality" in lines[-1]
    assert "quality" in w.stage_done_at()
