"""`curate export`: every format read back by its own library (megatron-core, mosaicml-streaming,
datasets), document by document against the shards, with counts equal to the manifest's."""

from __future__ import annotations

import importlib
import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from curation import shards as sh
from curation.docio import read_documents_dir
from tests.conftest import run_curate


def _shard_documents(build: Path) -> dict[str, list[tuple[str, str, np.ndarray]]]:
    """(doc_id, source, ids) of every document per split, in shard order, read with pyarrow."""
    import pyarrow.parquet as pq

    m = sh.read_manifest(build)
    out: dict[str, list] = {s: [] for s in sh.SPLITS}
    for e in sorted(m["shards"], key=lambda e: e["path"]):
        t = pq.read_table(build / e["path"], columns=["doc_id", "source"])
        ids = list(sh.iter_token_arrays(build / e["path"]))
        out[e["split"]] += list(zip(t.column("doc_id").to_pylist(), t.column("source").to_pylist(), ids))
    return out


def _export(build: Path, out: Path, fmt: str, *extra: str) -> dict:
    res = run_curate("export", str(build), "--format", fmt, "--output", str(out), *extra)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "equal to the manifest's" in res.stdout and "next:" in res.stdout
    return json.loads((out / "export.json").read_text())


def _check_counts(result: dict, build: Path, splits=sh.SPLITS) -> None:
    m = sh.read_manifest(build)
    for split in splits:
        assert result["splits"][split]["documents"] == m["totals"][split]["documents"]
        assert result["splits"][split]["tokens"] == m["totals"][split]["tokens"]
    assert (Path(result["tokenizer"]["file"]).name) == Path(m["tokenizer"]["file"]).name


@pytest.fixture(scope="module")
def docs(sample_build):
    return _shard_documents(sample_build)


# ------------------------------------------------------------------------------------- megatron
def test_megatron_round_trip_through_indexed_dataset_and_gpt_builder(sample_build, docs, tmp_path):
    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig
    from megatron.core.datasets.indexed_dataset import IndexedDataset

    out = tmp_path / "megatron"
    result = _export(sample_build, out, "megatron")
    _check_counts(result, sample_build)
    assert (out / "tokenizer" / "tokenizer.model").is_file()
    for split in sh.SPLITS:
        ds = IndexedDataset(str(out / split))
        assert len(ds) == len(docs[split]) == result["splits"][split]["documents"]
        assert ds.index.dtype == np.uint16
        for i, (_, _, ids) in enumerate(docs[split]):
            assert np.array_equal(ds[i], ids), f"{split} document {i} differs"
        assert list(ds.document_indices) == list(range(len(docs[split]) + 1))

    from megatron.core.datasets.megatron_tokenizer import MegatronLegacyTokenizer

    from curation.tokenizer import Tokenizer

    class ExportedTokenizer(MegatronLegacyTokenizer):
        """The export's own tokenizer/ behind Megatron's tokenizer interface."""

        def __init__(self, path: Path):
            super().__init__(str(path))
            self.tok = Tokenizer.from_file(path)

        def tokenize(self, text):
            return self.tok.encode(text)

        def detokenize(self, ids):
            return self.tok.decode(ids)

        @property
        def vocab(self):
            sp = self.tok._impl  # the sentencepiece processor
            return {sp.id_to_piece(i): i for i in range(self.tok.vocab_size)}

        @property
        def inv_vocab(self):
            return {i: p for p, i in self.vocab.items()}

        @property
        def vocab_size(self):
            return self.tok.vocab_size

        @property
        def eod(self):
            return self.tok.eos_id

        @property
        def pad(self):
            return self.tok.pad_id

    seq = 64
    config = GPTDatasetConfig(random_seed=1234, sequence_length=seq, path_to_cache=str(tmp_path / "cache"),
                              blend_per_split=[([str(out / "train")], None), ([str(out / "val")], None), None],
                              tokenizer=ExportedTokenizer(out / "tokenizer" / "tokenizer.model"),
                              reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False)
    train, valid, _ = BlendedMegatronDatasetBuilder(GPTDataset, [40, 8, None], lambda: True, config).build()
    # Each sample is a window of the documents concatenated in the dataset's document order.
    lengths = np.array([len(d[2]) for d in docs["train"]])
    stream = np.concatenate([docs["train"][d][2] for d in train.document_index])
    starts = np.concatenate([[0], np.cumsum(lengths[train.document_index])])
    for i in range(len(train)):
        j = train.shuffle_index[i]
        d, offset = train.sample_index[j]
        a = starts[d] + offset
        sample = train[i]
        assert np.array_equal(sample["tokens"].numpy(), stream[a:a + seq])
        assert np.array_equal(sample["labels"].numpy(), stream[a + 1:a + seq + 1])
    assert len(valid) >= 1


# ------------------------------------------------------------------------------------------ mds
def _streaming():
    """The streaming package. Its __init__ also imports dataset collections (vision, multimodal)
    that need torchvision; where torchvision cannot load (a CPU-only torch wheel beside a CUDA
    torchvision), the package is entered without them: StreamingDataset and the MDS reader are
    in streaming.base and are used unchanged."""
    try:
        return importlib.import_module("streaming")
    except (ImportError, RuntimeError):
        for name in [n for n in sys.modules if n == "streaming" or n.startswith("streaming.")]:
            del sys.modules[name]
        spec = importlib.util.find_spec("streaming")
        pkg = types.ModuleType("streaming")
        pkg.__path__ = list(spec.submodule_search_locations)
        sys.modules["streaming"] = pkg
        base = importlib.import_module("streaming.base")
        pkg.StreamingDataset = base.StreamingDataset
        return pkg


def test_mds_round_trip_through_streaming_dataset(sample_build, docs, tmp_path):
    out = tmp_path / "mds"
    result = _export(sample_build, out, "mds")
    _check_counts(result, sample_build)
    streaming = _streaming()
    for split in sh.SPLITS:
        index = json.loads((out / split / "index.json").read_text())
        assert sum(s["samples"] for s in index["shards"]) == len(docs[split])
        ds = streaming.StreamingDataset(local=str(out), split=split, shuffle=False, batch_size=1)
        assert ds.num_samples == len(docs[split])
        got = [ds[i] for i in range(ds.num_samples)]
        for (doc_id, source, ids), sample in zip(docs[split], got):
            assert sample["id"] == doc_id and sample["source"] == source
            assert sample["tokens"].dtype == np.uint16 and np.array_equal(sample["tokens"], ids), doc_id


def test_mds_shards_close_at_the_size_limit(sample_build, docs, tmp_path):
    from curation.export.mds import MDSWriter
    from curation.export.read import iter_blocks

    m = sh.read_manifest(sample_build)
    entries: list[dict] = []
    w = MDSWriter(str(tmp_path), "train", np.dtype("uint16"), entries, size_limit=8_000)
    for block in iter_blocks(sample_build, m, "train"):
        w.add(block)
    w.close()
    assert len(w.shards) > 3 and sum(s["samples"] for s in w.shards) == len(docs["train"])
    ds = _streaming().StreamingDataset(local=str(tmp_path), split="train", shuffle=False, batch_size=1)
    assert [ds[i]["id"] for i in range(ds.num_samples)] == [d[0] for d in docs["train"]]


# ----------------------------------------------------------------------------------- jsonl / hf
def _curated_text(build: Path) -> dict[str, str]:
    return {d.id: d.text for d in read_documents_dir(build / "documents")}


def test_jsonl_text_loads_with_datasets_and_equals_the_curated_text(sample_build, docs, tmp_path):
    import datasets

    out = tmp_path / "jsonl"
    result = _export(sample_build, out, "jsonl")
    _check_counts(result, sample_build)
    files = {s: sorted(str(p) for p in (out / s).glob("*.jsonl")) for s in sh.SPLITS}
    ds = datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "hf-cache"))
    texts = _curated_text(sample_build)
    for split in sh.SPLITS:
        assert ds[split].num_rows == len(docs[split])
        assert ds[split]["id"] == [d[0] for d in docs[split]]
        assert ds[split]["source"] == [d[1] for d in docs[split]]
        for row in ds[split]:
            assert row["text"] == texts[row["id"]], row["id"]


def test_hf_ids_load_by_folder_with_split_names(sample_build, docs, tmp_path):
    import datasets

    out = tmp_path / "hf"
    result = _export(sample_build, out, "hf", "--content", "ids")
    _check_counts(result, sample_build)
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))
    assert set(ds) == {"train", "val"}
    for split in sh.SPLITS:
        assert ds[split]["id"] == [d[0] for d in docs[split]]
        for row, (_, _, ids) in zip(ds[split], docs[split]):
            assert row["input_ids"] == ids.tolist()


# ------------------------------------------------------------------------ determinism, errors
def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_export_is_deterministic_and_replaces_an_earlier_export(sample_build, tmp_path):
    from curation.export.run import export

    a, b = tmp_path / "a", tmp_path / "b"
    export(sample_build, a, "hf", echo=lambda _: None)
    export(sample_build, b, "jsonl", echo=lambda _: None)  # b first holds another format
    export(sample_build, b, "hf", echo=lambda _: None)
    assert _files(a) == _files(b)  # same bytes, and no jsonl part of the earlier export left
    assert [p.name for p in b.rglob(".*")] == [".curate-export"]  # no temporary file left
    # A folder an interrupted export left (files, no export.json) is taken over, not refused.
    (b / "export.json").unlink()
    (b / "data" / ".train-00000.parquet.tmp").write_bytes(b"half")
    export(sample_build, b, "hf", echo=lambda _: None)
    assert _files(a) == _files(b)
    only_train = export(sample_build, tmp_path / "t", "megatron", splits=("train",), echo=lambda _: None)
    assert set(only_train["splits"]) == {"train"} and not (tmp_path / "t" / "val.bin").exists()


def test_export_refuses_a_tampered_build_and_a_foreign_output(sample_build, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(sample_build, bad)
    shard = next((bad / "shards" / "train").glob("*.parquet"))
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    res = run_curate("export", str(bad), "--format", "mds", "--output", str(tmp_path / "o"))
    assert res.returncode == 2 and "does not match its manifest" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o" / "export.json").exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    res = run_curate("export", str(sample_build), "--format", "jsonl", "--output", str(foreign))
    assert res.returncode == 2 and "not an earlier export" in res.stderr
    assert (foreign / "notes.txt").read_text() == "mine"
