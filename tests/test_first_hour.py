"""A new user's first hour (issue 21): what the README promises works as written, progress shows on
a real terminal while the run works, Ctrl-C says how to resume, and every command understands a
documents-only output. Through the CLI, as a user calls it."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curation.cli import build_parser, main
from curation.train.config import resolve
from curation.train.loop import lr_at

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable


def curate(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)} if cwd else None
    return subprocess.run([PY, "-m", "curation.cli", *args], cwd=cwd or REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


def in_terminal(args: list[str], interrupt_after: bytes | None = None, cwd: Path | None = None,
                timeout: float = 600) -> tuple[int, bytes, int | None]:
    """Run ``curate ARGS`` on a pseudo-terminal, as a shell would. Returns the exit code, every
    byte it wrote, and the offset in that output at which the process was seen to exit (so a test
    can tell what was printed while it still ran). ``interrupt_after``: type Ctrl-C once that text
    has appeared."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        os.environ["COLUMNS"] = "200"
        if cwd is not None:
            os.chdir(cwd)
            os.environ["PYTHONPATH"] = str(cwd)  # the clone's code, not this checkout's
        os.execv(PY, [PY, "-m", "curation.cli", *args])
    out, exited_at, status, sent = b"", None, None, False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                break
            out += chunk
        if interrupt_after and not sent and interrupt_after in out:
            os.write(fd, b"\x03")  # Ctrl-C, delivered by the terminal to the foreground process group
            sent = True
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status, exited_at = st, len(out)
            break
    else:
        os.kill(pid, signal.SIGKILL)
    if status is None:
        exited_at = len(out)
        status = os.waitpid(pid, 0)[1]
    try:  # what was still buffered when the process ended
        while select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out, exited_at


# ---------------------------------------------------------------- item 4: the README and the CLI agree
def _command_line_block() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("## ", 1)[0]
    block = section.split("```", 2)[1]
    return section, [ln for ln in block.splitlines() if ln.strip()]


def _options(parser, command: str) -> set[str]:
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {o for a in sub.choices[command]._actions for o in a.option_strings}


def test_every_flag_the_readme_shows_is_accepted():
    parser = build_parser()
    section, lines = _command_line_block()
    command = None
    checked = 0
    for line in lines:
        m = re.match(r"curate\s+([a-z-]+)", line)
        if m:
            command = m.group(1)
        usage = line.split("   ")[0] if m else line  # the description column after the usage
        for flag in re.findall(r"(--[a-z][a-z-]*)", usage):
            assert flag in _options(parser, command), f"README: `curate {command} {flag}` is not a flag of the CLI"
            checked += 1
    # The bullets under the block: flags of the commands a bullet names (build-shards when it
    # names none), Beam's own options excepted.
    beam = {"--runner", "--direct_num_workers"}
    for bullet in section.split("\n* ")[1:]:
        commands = set(re.findall(r"`curate ([a-z-]+)", bullet)) or {"build-shards"}
        known = set().union(*(_options(parser, c) for c in commands))
        for flag in re.findall(r"`(--[a-z][a-z_-]*)", bullet):
            if flag not in beam:
                assert flag in known, f"README: no {flag} in curate {'/'.join(sorted(commands))}"
                checked += 1
    assert checked > 15


def test_plan_takes_the_readme_flags_and_says_whether_the_run_fits(tmp_path, capsys):
    assert main(["plan", "--documents", "1000", "--mean-bytes", "2000", "--output", str(tmp_path / "new")]) == 0
    out = capsys.readouterr().out
    assert "this machine:" in out and "memory: fits" in out and "disk: fits" in out
    assert main(["plan", "--documents", "50000000000", "--mean-bytes", "3000"]) == 0
    huge = capsys.readouterr().out
    assert "memory: does NOT fit" in huge and "--runner" in huge and "disk: does NOT fit" in huge


# ---------------------------------------------------------------- the README's commands from a clean clone
@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone of this checkout's last commit: nothing untracked, nothing built."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    dest = tmp_path_factory.mktemp("clone") / "curate"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(dest)], check=True, timeout=120)
    return dest


@pytest.fixture(scope="module")
def readme_build(clone):
    """The README's main command (`curate build-shards --output out/sample`) in the clone, on a
    terminal. The install half of the command is what .ci/run does; here the clone's code runs
    with the test's interpreter."""
    rc, text, exited_at = in_terminal(["build-shards", "--output", "out/sample"], cwd=clone)
    return clone / "out" / "sample", rc, text, exited_at


def test_progress_lines_appear_on_a_terminal_while_the_run_works(readme_build):
    out, rc, text, exited_at = readme_build
    assert rc == 0, text[-3000:].decode(errors="replace")
    table = text.index(b"stage ")  # the summary table: printed once the pipeline is done
    live = text[:table]
    # Redrawn frames: the header with the elapsed time, one line per stage with its rate,
    # and read's bar of files done out of those listed.
    assert live.count(b"curate: running for") >= 2
    assert b"\x1b[" in live  # the block is redrawn in place
    assert re.search(rb"read +[\d,]+ docs +[\d,]+ kept +[\d.,]+/s", live)
    assert re.search(rb"\[#+\] 100% of \d+ files", live)
    assert re.search(rb"tokenize +[\d,]+ docs", live)
    assert exited_at is not None and table < exited_at
    # The end names the output and what to run next.
    tail = text[table:].decode()
    assert "output: out/sample" in tail and "curate report out/sample" in tail
    assert "curate train --shards out/sample" in tail
    assert re.search(r"wrote [\d,]+ documents, [\d,]+ tokens in \d+ shards?\b", tail)
    assert "done at" in tail


def test_readme_then_report_train_interrupted_resumed_and_generate(readme_build, clone):
    out, rc, _, _ = readme_build
    assert rc == 0
    # report: the base install draws it (no matplotlib import)
    res = curate("report", "out/sample", cwd=clone)
    assert res.returncode == 0, res.stderr
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 5 and "matplotlib" not in html
    assert "matplotlib" not in (REPO / "curation" / "report_plots.py").read_text()
    # train without --preset on this CPU: the tiny preset, said; Ctrl-C after a step saves a checkpoint
    small = ["--n-layer", "1", "--n-embd", "32", "--n-head", "2", "--seq-len", "32", "--global-batch", "4",
             "--micro-batch", "4", "--val-windows", "4", "--log-every", "1", "--threads", "1"]
    rc, text, _ = in_terminal(["train", "--shards", "out/sample", "--out", "runs/t", "--steps", "400", *small],
                              cwd=clone, interrupt_after=b"3/400 [")
    decoded = text.decode(errors="replace")
    assert rc == 130, decoded[-2000:]
    assert "using the CPU-sized preset 'tiny'" in decoded
    assert re.search(r"step 1: [\d.]+s/step -> about \d+:\d\d:\d\d for the remaining 399 steps", decoded)
    m = re.search(r"interrupted after step (\d+)/400; saved a checkpoint at step \1", decoded)
    assert m and "--resume" in decoded, decoded[-2000:]
    stopped = int(m.group(1))
    # --resume with fewer steps keeps the 400-step cosine schedule, and says so
    res = curate("train", "--shards", "out/sample", "--out", "runs/t", "--resume", "--steps", str(stopped + 1), *small,
                 cwd=clone)
    assert res.returncode == 0, res.stderr
    assert "schedule decays over 400 steps and is kept" in res.stdout
    log = {e["step"]: e for e in map(json.loads, (clone / "runs" / "t" / "log.jsonl").read_text().splitlines()) if "lr" in e}
    planned = resolve("tiny", None, {"steps": 400, **dict(zip([f[2:].replace("-", "_") for f in small[::2]], small[1::2]))})[0]
    assert log[stopped + 1]["lr"] == pytest.approx(lr_at(planned, stopped))
    # generate: text from the model, ids only from the tokenizer's vocabulary
    res = curate("generate", "runs/t", "--prompt", "The lamplighter", "--max-new-tokens", "20", "--seed", "1",
                 cwd=clone)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("The lamplighter") and len(res.stdout.strip()) > len("The lamplighter")


def test_the_build_says_what_happened(readme_build, clone, capsys):
    """Item 8/10/11 on the README's build: WARC records that are not documents apart, thresholds
    beside rule values, the train budget guard."""
    out, rc, text, _ = readme_build
    assert rc == 0
    tail = text.decode(errors="replace")
    assert re.search(r"read skipped [\d,]+ WARC records that are not documents \(.*request \d+", tail)
    table = tail[tail.index("stage "):]
    assert "read/request" not in table  # not a top removal reason
    html = (out / "report.html").read_text() if (out / "report.html").exists() else ""
    if html:
        assert "WARC records that are not documents" in html
    rejected = pq.read_table(out / "rejected", columns=["id", "reason"]).to_pylist()
    doc = next(r["id"] for r in rejected if r["reason"].startswith("quality/gopher_"))
    assert main(["explain", doc, str(out)]) == 0
    shown = capsys.readouterr().out
    assert "rule values" in shown and "compared to  quality.gopher_quality." in shown and "  text  " in shown
    # 10B tokens on a 30k-token corpus: refused with the numbers and the way out
    assert main(["train", "--shards", str(out), "--out", str(clone / "runs" / "big"), "--preset", "gpt2-124m"]) == 2
    err = capsys.readouterr().err
    assert "epochs of the" in err and "--max-epochs" in err and "--steps" in err


def test_progress_into_a_pipe_is_logged_lines(tmp_path):
    """Not a terminal: plain log lines (INFO curate: progress ...), not capped by the root logger."""
    res = curate("extract", "--books", "sample_data/books/lamplighters-apprentice.txt", "--output", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr[-3000:]
    assert "INFO curate: progress " in res.stderr and "\x1b[" not in res.stderr
    assert "WARNING:root" not in res.stderr and "INFO root" not in res.stderr


# ---------------------------------------------------------------- item 7: Ctrl-C
def test_ctrl_c_in_build_shards_exits_130_with_a_resume_hint(tmp_path):
    out = tmp_path / "out"
    rc, text, _ = in_terminal(["build-shards", "--output", str(out)], interrupt_after=b"curate: running for")
    decoded = text.decode(errors="replace")
    assert rc == 130, decoded[-2000:]
    assert "interrupted" in decoded and "re-run the same command to resume" in decoded
    assert "Traceback" not in decoded and "RuntimeError" not in decoded


# ---------------------------------------------------------------- item 3: a documents-only output
def test_every_command_understands_a_documents_only_output(tmp_path, capsys):
    out = tmp_path / "docs-only"
    res = curate("build-shards", "--books", "sample_data/books/lamplighters-apprentice.txt", "--config",
                 "sample_data/config.yaml", "--emit", "documents", "--output", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    assert re.search(r"wrote 1 document in 1 part under documents/ \(--emit documents", res.stdout)
    assert "0 tokens" not in res.stdout and f"curate report {out}" in res.stdout
    assert main(["inspect", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "verified     every sha256 and count matches the manifest" in shown and "sample       " in shown
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "documents-only output" in html and "characters" in html
    doc = pq.read_table(out / "documents", columns=["id"]).column("id")[0].as_py()
    capsys.readouterr()
    assert main(["explain", doc, str(out)]) == 0
    shown = capsys.readouterr().out
    assert "KEPT         documents/part-00000.parquet row 0" in shown and "did not finish" not in shown


# ---------------------------------------------------------------- item 9: the wrong input kind
def test_the_wrong_input_flag_is_named_before_anything_runs(tmp_path, capsys):
    assert main(["build-shards", "--web", "sample_data/books", "--output", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "none of its 3 file(s) are web archives" in err and "pass --books sample_data/books" in err
    assert main(["build-shards", "--books", "sample_data/web", "--output", str(tmp_path / "b")]) == 2
    assert "is not a book but a web archive: pass it with --web" in capsys.readouterr().err


def test_a_too_small_vocabulary_names_curate_keys():
    from curation.config import load_config
    from curation.errors import ConfigError
    from curation.tokenizer import train_sentencepiece

    cfg = load_config(overrides=["tokenizer.vocab_size=300"]).tokenizer
    text = (REPO / "sample_data" / "books" / "lamplighters-apprentice.txt").read_text(encoding="utf-8", errors="replace")
    han = " ".join(chr(0x4E00 + i) * 40 for i in range(400))  # 400 frequent characters: more than 300 ids
    with pytest.raises(ConfigError) as e:
        train_sentencepiece([text, han], cfg)
    msg = str(e.value)
    assert "tokenizer.vocab_size=300 is too small" in msg and "--set tokenizer.vocab_size=" in msg
    assert "--character_coverage" not in msg  # sentencepiece's own flag, not curate's


# ---------------------------------------------------------------- item 5: generate's vocabulary
def test_sampling_never_leaves_the_tokenizer_vocabulary():
    import torch

    from curation.train.generate import sample
    from curation.train.model import GPT, GPTConfig

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=16, vocab_size=128, n_layer=1, n_head=2, n_embd=16)).eval()
    with torch.no_grad():  # make the padding rows the most likely ids: they must still never come out
        model.lm_head.weight[100:] *= 50
    ids = sample(model, [1, 5, 7], vocab_size=100, max_new_tokens=60, temperature=2.0, top_k=0, seed=3, banned=(1,))
    assert len(ids) == 60 and max(ids) < 100 and 1 not in ids
    assert ids == sample(model, [1, 5, 7], vocab_size=100, max_new_tokens=60, temperature=2.0, top_k=0, seed=3,
                         banned=(1,))


# ---------------------------------------------------------------- item 10: records to find and trust
def test_bad_jsonl_rows_are_located_by_line_and_byte_offset(tmp_path):
    from curation.docio import iter_documents
    from pipelines.parts import bad_row

    f = tmp_path / "d.jsonl"
    lines = ['{"id": "a", "text": "fine"}', "not json", '{"id": "b", "text": "fine"}', '["a list"]', '{"no": "text"}']
    f.write_text("\n".join(lines) + "\n")
    bad = [reason for doc, reason in iter_documents(str(f)) if doc is None]
    assert [str(r) for r in bad] == ["bad_json", "bad_json", "bad_row"]
    offsets = [sum(len(x) + 1 for x in lines[:i]) for i in (1, 3, 4)]
    assert [r.where for r in bad] == [{"line": n, "offset": o} for n, o in zip((2, 4, 5), offsets)]
    ids = [bad_row("d.jsonl", r).id for r in bad]
    assert ids == [f"d.jsonl#line-{n}@{o}" for n, o in zip((2, 4, 5), offsets)] and len(set(ids)) == 3


def test_bytecode_is_counted_and_a_venv_package_is_source(tmp_path):
    from curation.config import CodeConfig
    from curation.readers.code import list_tree

    tree = tmp_path / "lib"
    (tree / "venv").mkdir(parents=True)
    (tree / "venv" / "__init__.py").write_text("def create(): pass\n")  # the stdlib's own venv package
    (tree / "__pycache__").mkdir()
    (tree / "__pycache__" / "os.cpython-311.pyc").write_bytes(b"\x00\x01")
    (tree / "env" / "venv" / "lib").mkdir(parents=True)
    (tree / "env" / "venv" / "lib" / "six.py").write_text("x = 1\n")  # a virtual environment: vendored
    units = {u.path: u.skip for u in list_tree(str(tree), CodeConfig())}
    assert units == {"venv/__init__.py": "", "__pycache__/os.cpython-311.pyc": "bytecode",
                     "env/venv/lib/six.py": "vendored"}


# ---------------------------------------------------------------- item 11: smaller things
def test_messages_name_the_flag_the_user_typed(tmp_path, capsys):
    assert main(["filter", "--input", "/nope", "--output", str(tmp_path / "f")]) == 2
    assert "--input /nope: no such file or directory" in capsys.readouterr().err
    assert main(["build-shards", "--direct_num_worker=2", "--output", str(tmp_path / "b")]) == 2
    assert "did you mean '--direct_num_workers'?" in capsys.readouterr().err
    assert main(["filters", "--list"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("FILTER ") and "quality/gopher_stop_words" in listing
    for stage in ("read ", "dedup ", "pii "):
        assert f"\n  {stage}" in listing
    assert "/runs/" in (REPO / ".gitignore").read_text().split()
