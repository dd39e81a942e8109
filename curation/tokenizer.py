"""Tokenizer training and the one wrapper every encoder and decoder uses.

sentencepiece's defaults lose text: NFKC normalisation rewrites full-width letters and
ligatures, ``remove_extra_whitespaces`` collapses runs of spaces and strips leading ones, and
``add_dummy_prefix`` invents a space at the start. A trainer needs decode(encode(text)) == text,
so ``train_sentencepiece`` sets every one of these deliberately (see ``_ROUND_TRIP_OPTIONS``) and
tests/test_tokenizer.py checks newlines, tabs, repeated and leading spaces, CJK and emoji.
One known exception, inherent to sentencepiece: U+2581 (LOWER ONE EIGHTH BLOCK, "▁") is the
character sentencepiece uses for a space, so a literal one in the text decodes as a space.

Special ids are fixed: pad 0, unk 1, bos 2, eos 3. Token arrays are uint16 when the vocabulary
fits (<= 65,536 ids), else uint32.

An existing model is reused by path: a sentencepiece ``.model`` or a Hugging Face ``tokenizers``
``tokenizer.json`` (read from the path, never fetched). Nothing here imports Apache Beam.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from curation.errors import ConfigError

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
KIND_SENTENCEPIECE = "sentencepiece"
KIND_HF = "tokenizers"
MODEL_FILES = {KIND_SENTENCEPIECE: "tokenizer.model", KIND_HF: "tokenizer.json"}

# Settings that make encoding lossless; not configurable on purpose (docs/format.md).
_ROUND_TRIP_OPTIONS = dict(
    normalization_rule_name="identity",  # nmt_nfkc would rewrite text
    remove_extra_whitespaces=False,  # keep runs of spaces, leading and trailing spaces
    add_dummy_prefix=False,  # no invented leading space
    byte_fallback=True,  # any character round-trips as UTF-8 bytes, never <unk>
    allow_whitespace_only_pieces=True,  # indentation and blank runs become pieces of their own
    split_digits=True,  # numbers tokenize digit by digit (LLaMA, PaLM)
    pad_id=PAD_ID,
    unk_id=UNK_ID,
    bos_id=BOS_ID,
    eos_id=EOS_ID,
    hard_vocab_limit=False,  # a small sample may not support the full vocabulary
)

# Special-token names tried, in order, when a tokenizer.json does not say which is which.
_HF_NAMES = {
    "bos": ["<s>", "<|begin_of_text|>", "<bos>", "[CLS]", "<|endoftext|>"],
    "eos": ["</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>", "[SEP]"],
    "pad": ["<pad>", "<|pad|>", "[PAD]"],
    "unk": ["<unk>", "[UNK]"],
}


# Texts longer than this (characters) are encoded piece by piece (Tokenizer._encode_long).
LONG_ENCODE = 1 << 20
SPACE_SYMBOL = "\u2581"  # how sentencepiece writes a space inside pieces
_MODEL_TYPES = {1: "unigram", 2: "bpe", 3: "word", 4: "char"}


class _CutTable(NamedTuple):
    pairs: frozenset[str]  # every two adjacent characters of a vocabulary piece
    chars: frozenset[str]  # every character of one
    space: str  # how a space appears in pieces


def sentencepiece_spec(model: bytes) -> dict:
    """The normaliser settings of a serialised sentencepiece ModelProto, read from the protobuf
    wire format (sentencepiece's generated module needs a newer protobuf runtime than Beam's).
    Fields (sentencepiece_model.proto): ModelProto.trainer_spec = 2, TrainerSpec.model_type = 3
    (default unigram); ModelProto.normalizer_spec = 3; NormalizerSpec.name = 1, add_dummy_prefix
    = 3, remove_extra_whitespaces = 4, escape_whitespaces = 5 (each default true)."""
    spec = {"model_type": "unigram", "normalizer": "", "add_dummy_prefix": True, "remove_extra_whitespaces": True,
            "escape_whitespaces": True}
    names = {3: "add_dummy_prefix", 4: "remove_extra_whitespaces", 5: "escape_whitespaces"}
    for field, value in _proto_fields(model):
        if field == 2 and isinstance(value, bytes):
            for f, v in _proto_fields(value):
                if f == 3 and isinstance(v, int):
                    spec["model_type"] = _MODEL_TYPES.get(v, str(v))
        elif field == 3 and isinstance(value, bytes):
            for f, v in _proto_fields(value):
                if f == 1 and isinstance(v, bytes):
                    spec["normalizer"] = v.decode("utf-8", "replace")
                elif f in names and isinstance(v, int):
                    spec[names[f]] = bool(v)
    return spec


def _proto_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of one protobuf message: varints as int, length-delimited as bytes."""
    i, n = 0, len(buf)

    def varint() -> int:
        nonlocal i
        out = shift = 0
        while True:
            if i >= n:
                raise ConfigError("not a sentencepiece model: truncated protobuf")
            b = buf[i]
            i += 1
            out |= (b & 0x7F) << shift
            if b < 0x80:
                return out
            shift += 7

    while i < n:
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, varint()
        elif wire == 2:
            size = varint()
            yield field, buf[i : i + size]
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ConfigError(f"not a sentencepiece model: protobuf wire type {wire}")


def dtype_for(vocab_size: int) -> str:
    """uint16 holds ids below 65,536; larger vocabularies need uint32."""
    return "uint16" if vocab_size <= 65_536 else "uint32"


def training_chunks(text: str, max_bytes: int) -> Iterator[str]:
    """Cut a document into training 'sentences' of at most ``max_bytes`` UTF-8 bytes.

    sentencepiece silently skips any sentence longer than max_sentence_length, which would drop
    every book; lines are packed whole (newlines kept, so newline pieces are learned) and a line
    longer than the limit is cut on character boundaries.
    """
    buf: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        n = len(line.encode("utf-8", "surrogatepass"))
        if size + n > max_bytes and buf:
            yield "".join(buf)
            buf, size = [], 0
        if n > max_bytes:
            # max_bytes // 4 characters are at most max_bytes bytes in UTF-8. Cut by position: slicing
            # the rest of the line off each time copies it again per piece (quadratic in a 50 MB line).
            step, start = max_bytes // 4, 0
            while n > max_bytes:
                head = line[start : start + step]
                yield head
                n -= len(head.encode("utf-8", "surrogatepass"))
                start += step
            line = line[start:]
        if line:
            buf.append(line)
            size += n
    if buf:
        yield "".join(buf)


def trainer_options(cfg, user_defined_symbols: Iterable[str] = ()) -> dict:
    """The full sentencepiece trainer settings for a TokenizerConfig (recorded in docs/format.md)."""
    symbols = list(dict.fromkeys([*cfg.user_defined_symbols, *user_defined_symbols]))
    opts = dict(
        _ROUND_TRIP_OPTIONS,
        vocab_size=cfg.vocab_size,
        model_type=cfg.model_type,
        character_coverage=cfg.character_coverage,
        max_sentence_length=cfg.max_sentence_length,
        num_threads=cfg.num_threads,
        byte_fallback=cfg.byte_fallback,
        minloglevel=2,
    )
    if symbols:
        opts["user_defined_symbols"] = symbols
    return opts


def train_sentencepiece(texts: Iterable[str], cfg, user_defined_symbols: Iterable[str] = ()) -> bytes:
    """Train on ``texts`` (already a bounded, ordered sample) and return the model file's bytes.

    The model is written to memory, not to a path: sentencepiece records the input and output
    paths inside the model, which would make the file (and the manifest fingerprint) depend on
    where it was trained. Training is deterministic for a given sample and config.
    """
    import sentencepiece as spm

    def sentences() -> Iterator[str]:
        for t in texts:
            yield from training_chunks(t, cfg.max_sentence_length)

    out = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(sentence_iterator=sentences(), model_writer=out, **trainer_options(cfg, user_defined_symbols))
    except RuntimeError as e:
        raise ConfigError(training_error(str(e), cfg)) from None
    return out.getvalue()


def training_error(message: str, cfg) -> str:
    """sentencepiece's error in curate's terms: the config keys to change, not its own flags."""
    m = re.search(r"smaller than required_chars\. (\d+) vs (\d+)", message)
    if m:
        return (f"tokenizer.vocab_size={cfg.vocab_size} is too small: the sample's characters (at "
                f"tokenizer.character_coverage={cfg.character_coverage}) and the special pieces need {m.group(2)} ids "
                f"before any merge; use --set tokenizer.vocab_size={max(int(m.group(2)) * 2, 1000)} or more, or lower "
                "tokenizer.character_coverage")
    return f"sentencepiece training failed ({message.strip()}): is the sample empty?"


class Tokenizer:
    """A loaded tokenizer: encode/decode, special ids, dtype and the model file's sha256.

    Built from the model file's bytes, so it can travel as a Beam side input and load on any
    worker; the heavy object is created lazily and dropped when pickled.
    """

    def __init__(self, model: bytes, kind: str = KIND_SENTENCEPIECE):
        if kind not in MODEL_FILES:
            raise ConfigError(f"unknown tokenizer kind {kind!r} (known: {', '.join(MODEL_FILES)})")
        self.kind = kind
        self.model = bytes(model)
        self.sha256 = hashlib.sha256(self.model).hexdigest()
        self._impl = None
        self._load()

    # ------------------------------------------------------------ loading
    @classmethod
    def from_file(cls, path: str | Path) -> "Tokenizer":
        """Load a sentencepiece .model, or a tokenizer.json (any name ending .json)."""
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"tokenizer model not found: {p}")
        kind = KIND_HF if p.suffix == ".json" else KIND_SENTENCEPIECE
        return cls(p.read_bytes(), kind)

    def _load(self) -> None:
        if self.kind == KIND_SENTENCEPIECE:
            import sentencepiece as spm

            sp = spm.SentencePieceProcessor()
            try:
                sp.LoadFromSerializedProto(self.model)
            except (RuntimeError, OSError) as e:
                raise ConfigError(f"not a sentencepiece model: {str(e).strip()}") from None
            self._impl = sp
            self.vocab_size = sp.vocab_size()
            self.bos_id, self.eos_id, self.pad_id, self.unk_id = sp.bos_id(), sp.eos_id(), sp.pad_id(), sp.unk_id()
        else:
            from tokenizers import Tokenizer as HFTokenizer

            try:
                tk = HFTokenizer.from_str(self.model.decode("utf-8"))
            except Exception as e:  # the library raises a bare Exception on a malformed file
                raise ConfigError(f"not a tokenizers JSON file: {str(e)[:200]}") from None
            self._impl = tk
            self.vocab_size = tk.get_vocab_size(with_added_tokens=True)
            ids = {role: next((tk.token_to_id(n) for n in names if tk.token_to_id(n) is not None), -1) for role, names in _HF_NAMES.items()}
            if ids["eos"] < 0:
                raise ConfigError(f"tokenizer.json has no end-of-document token (tried {', '.join(_HF_NAMES['eos'])})")
            # GPT-2 style vocabularies have one <|endoftext|> for both ends and no padding.
            self.bos_id = ids["bos"] if ids["bos"] >= 0 else ids["eos"]
            self.eos_id = ids["eos"]
            self.pad_id = ids["pad"] if ids["pad"] >= 0 else ids["eos"]
            self.unk_id = ids["unk"]
        self.dtype = dtype_for(self.vocab_size)
        self.np_dtype = np.dtype(self.dtype)

    def __getstate__(self):
        return {"model": self.model, "kind": self.kind}

    def __setstate__(self, state):
        self.__init__(state["model"], state["kind"])

    # ------------------------------------------------------------ use
    def encode(self, text: str) -> np.ndarray:
        """Token ids of ``text`` without BOS/EOS, as an array of ``dtype``."""
        if self.kind == KIND_SENTENCEPIECE:
            if len(text) > LONG_ENCODE and self._cut_table is not None:
                return self._encode_long(text)
            ids = self._impl.encode(text, out_type="numpy")
        else:
            ids = np.asarray(self._impl.encode(text, add_special_tokens=False).ids)
        return ids.astype(self.np_dtype, copy=False)

    @functools.cached_property
    def _cut_table(self) -> _CutTable | None:
        """What ``_spans`` needs to cut a text (the character pairs some piece holds, spaces as
        the model sees them), or None when cutting is not provably neutral for this model: a
        normaliser that is not identity, or one that adds a dummy prefix or folds whitespace,
        sees a span's edges; and a unigram model breaks ties between equal-score segmentations
        by float sums of the path so far, which differ when the text starts elsewhere (measured:
        runs of spaces). Computed on the first long text (a pickled Tokenizer starts afresh)."""
        spec = sentencepiece_spec(self.model)
        if (spec["model_type"] != "bpe" or spec["normalizer"] != "identity" or spec["add_dummy_prefix"]
                or spec["remove_extra_whitespaces"]):
            return None
        sp = self._impl
        pieces = [sp.id_to_piece(i) for i in range(sp.vocab_size()) if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i))]
        return _CutTable(pairs=frozenset(p[i : i + 2] for p in pieces for i in range(len(p) - 1)),
                         chars=frozenset(c for p in pieces for c in p),
                         space=SPACE_SYMBOL if spec["escape_whitespaces"] else " ")

    def _encode_long(self, text: str) -> np.ndarray:
        """``encode`` of a text over LONG_ENCODE characters, piece by piece (sentencepiece needs
        ~40 bytes per character in one call: 2 GB for a 50 MB line); the same ids (``_spans``)."""
        parts = [self._impl.encode(text[a:b], out_type="numpy").astype(self.np_dtype, copy=False) for a, b in self._spans(text)]
        return np.concatenate(parts)

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Cuts ``text`` into spans of about LONG_ENCODE characters whose segmentations, joined,
        are the whole text's. A cut goes between two characters that no vocabulary piece holds
        side by side: no piece can span it, and BPE merges only ever form vocabulary pieces (ties
        go to the leftmost pair), so the whole text's merges are the two sides' joined. With
        curate's trainer settings a space after a word is such a place. Control, unknown and
        byte pieces never match text and are left out; the characters beside a cut must be ones
        the vocabulary holds, because a run of unknown characters is merged into one <unk>.
        Where no cut turns up within LONG_ENCODE characters of a span's end, the rest of the
        text is one span: the search, a Python loop per character, stays bounded."""
        pairs, chars, space = self._cut_table
        n = len(text)

        def cuttable(i: int) -> bool:
            a, b = text[i - 1].replace(" ", space), text[i].replace(" ", space)
            return a in chars and b in chars and a + b not in pairs

        start = 0
        while start < n:
            end = start + LONG_ENCODE
            give_up = end + LONG_ENCODE
            while end < n and not cuttable(end):
                end += 1
                if end >= give_up:
                    end = n
            end = min(end, n)
            yield start, end
            start = end

    def encode_document(self, text: str) -> np.ndarray:
        """BOS + ids + EOS: the row a shard stores for one document."""
        body = self.encode(text)
        out = np.empty(len(body) + 2, dtype=self.np_dtype)
        out[0] = self.bos_id
        out[1:-1] = body
        out[-1] = self.eos_id
        return out

    def decode(self, ids) -> str:
        """Text of ``ids``; BOS, EOS and PAD are dropped."""
        ids = [int(i) for i in np.asarray(ids).tolist() if int(i) not in (self.bos_id, self.eos_id, self.pad_id)]
        if self.kind == KIND_SENTENCEPIECE:
            return self._impl.decode(ids)
        return self._impl.decode(ids, skip_special_tokens=False)

    def piece_id(self, piece: str) -> int | None:
        """Id of a single vocabulary entry, or None when it is not one."""
        if self.kind == KIND_SENTENCEPIECE:
            i = self._impl.piece_to_id(piece)
            return None if i == self.unk_id and piece != self._impl.id_to_piece(i) else i
        return self._impl.token_to_id(piece)

    def vocab_text(self) -> str:
        """The sentencepiece-style .vocab file: piece TAB score per id (newlines and tabs escaped)."""
        if self.kind != KIND_SENTENCEPIECE:
            return ""
        sp = self._impl
        rows = []
        for i in range(sp.vocab_size()):
            piece = sp.id_to_piece(i).replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
            rows.append(f"{piece}\t{sp.get_score(i):g}\n")
        return "".join(rows)

    @property
    def file_name(self) -> str:
        return MODEL_FILES[self.kind]

    def info(self) -> dict:
        """The manifest's tokenizer entry (without the model bytes)."""
        return {
            "kind": self.kind,
            "file": f"tokenizer/{self.file_name}",
            "sha256": self.sha256,
            "vocab_size": self.vocab_size,
            "bos_id": self.bos_id,
            "eos_id": self.eos_id,
            "pad_id": self.pad_id,
            "unk_id": self.unk_id,
            "dtype": self.dtype,
        }

    def save(self, directory: str | Path) -> Path:
        """Write the model (and .vocab) into ``directory`` via temp names; returns the model path."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        target = d / self.file_name
        files = [(target, self.model)]
        if self.kind == KIND_SENTENCEPIECE:
            files.append((d / "tokenizer.vocab", self.vocab_text().encode("utf-8")))
        for path, data in files:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return target
