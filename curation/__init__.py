"""curate: web archives, books and code to clean, deduplicated, tokenized training shards.

Nothing here imports Apache Beam: the training job (curation.train) must import on a machine
that has only torch, numpy and pyarrow.
"""

__version__ = "0.1.0"

from curation.document import Document  # noqa: E402  (ground floor, no heavy imports)

__all__ = ["Document", "__version__"]
