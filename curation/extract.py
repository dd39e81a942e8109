"""Main text from HTML with trafilatura (and resiliparse), inside limits that hold on any thread. No Beam here.

trafilatura can run for minutes on some huge or deeply nested pages (trafilatura #704,
datatrove #75). Three limits, cheapest first:

1. size cap: pages over ``max_html_bytes`` are never parsed (extract/too_large);
2. depth check: a linear scan of the tags before parsing; nesting deeper than ``max_depth``
   is extract/too_deep (lxml and trafilatura's tree walks are superlinear in depth);
3. time limit: a watchdog thread per process raises ``ExtractTimeout`` inside the extracting
   thread once ``timeout_s`` has passed (CPython's PyThreadState_SetAsyncExc). signal.alarm
   would only work in the main thread; Beam runs DoFns on worker threads. The exception lands
   at the next Python bytecode, and trafilatura is mostly Python around short lxml calls, which
   the size and depth caps keep short, so the limit holds to within a fraction of a second.

Before extraction, line breaks inside flowing HTML text become spaces (curation/paragraphs.py),
so the extracted lines are paragraphs, as C4's line rules assume.

The settings (engine, fast, favor_recall, include_comments ...) are chosen by mean and worst
main-text F1 over three annotated sets of different origins: bench/extract_quality.py,
docs/bench-extract.md.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import threading
import time
from dataclasses import dataclass

import numpy as np

from curation.config import ExtractConfig
from curation.paragraphs import join_html_lines

log = logging.getLogger("curate")


class ExtractTimeout(Exception):
    """Raised inside an extracting thread by the watchdog."""


class _Watchdog:
    """Deadlines per thread; one daemon thread per process raises ExtractTimeout in late ones."""

    def __init__(self):
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, int]] = {}  # thread id -> (deadline, token)
        self._fired: set[int] = set()
        self._token = 0
        self._pid = None

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():  # first use, or we are in a forked child without the thread
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="curate-extract-watchdog", daemon=True).start()

    def arm(self, seconds: float) -> int:
        with self._cond:
            self._ensure_thread()
            self._token += 1
            self._armed[threading.get_ident()] = (time.monotonic() + seconds, self._token)
            self._cond.notify()
            return self._token

    def disarm(self, token: int) -> bool:
        """True when the watchdog fired for this arming. Clears an exception not yet delivered."""
        tid = threading.get_ident()
        with self._cond:
            entry = self._armed.get(tid)
            if entry and entry[1] == token:
                del self._armed[tid]
            fired = token in self._fired
            self._fired.discard(token)
        if fired:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), None)
        return fired

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for tid, (deadline, token) in list(self._armed.items()):
                    if deadline <= now:
                        # Fire again every 50 ms until disarmed: library code that catches
                        # Exception broadly may swallow one delivery.
                        self._armed[tid] = (now + 0.05, token)
                        self._fired.add(token)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(ExtractTimeout))
                wait = min((d for d, _ in self._armed.values()), default=now + 60) - now
                self._cond.wait(timeout=max(wait, 0.001))


WATCHDOG = _Watchdog()

# One match per tag; the third group is ">" for a self-closing tag ("<br/>"). A greedy run to the
# first ">" and one look-behind: a lazy run would try the end of the pattern at every character.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*(?:(?<=/)(>)|>)")
# Elements with no end tag, or an end tag HTML lets authors omit: they never nest by themselves.
_NO_NEST = frozenset(
    "area base br col embed hr img input link meta param source track wbr p li dt dd tr td th option "
    "thead tbody tfoot colgroup rt rp optgroup".split()
)


def max_depth(html: str, limit: int) -> int:
    """Tag nesting depth (linear, no parser); ``limit + 1`` for any depth past ``limit``.

    An end tag with nothing open is ignored (depth never goes below 0): the depth after each tag
    is the running sum of +1/-1 minus the lowest the sum has been, a standard identity for a walk
    held at zero, so the scan is one regex pass and numpy instead of a Python loop per tag."""
    steps = [-1 if close else 1 for close, name, self_closing in _TAG.findall(html)
             if not self_closing and name.lower() not in _NO_NEST]
    if not steps:
        return 0
    walk = np.cumsum(np.array(steps, dtype=np.int32))
    best = int((walk - np.minimum(np.minimum.accumulate(walk), 0)).max())
    return limit + 1 if best > limit else best


@dataclass
class ExtractResult:
    kind: str  # out | removed | failed
    reason: str  # "" or extract/<rule>
    text: str = ""
    seconds: float = 0.0
    engine: str = ""  # whose text this is: trafilatura | trafilatura-full (fast missed, rerun in full) | resiliparse
    joined_lines: int = 0  # line breaks inside HTML text joined before extraction (curation/paragraphs.py)


_WORD = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n\s*\n")


def words(text: str) -> int:
    return len(_WORD.findall(text))


def reads_as_prose(text: str, min_words: int = 50, max_short_share: float = 0.05, short_words: int = 8) -> bool:
    """The resiliparse-first check: enough words, and at most ``max_short_share`` of the characters
    in lines under ``short_words`` words (menus, bylines, share buttons, captions: what
    resiliparse keeps and trafilatura drops). On the three extraction sets the pages that pass
    score about as well with resiliparse as with trafilatura (bench/extract_quality.py)."""
    lines = [x for x in text.splitlines() if x.strip()]
    total = sum(len(x) for x in lines)
    if not total or words(text) < min_words:
        return False
    short = sum(len(x) for x in lines if len(x.split()) < short_words)
    return short <= max_short_share * total


class HtmlExtractor:
    """trafilatura (and resiliparse) with limits. Holds only the config: picklable; the libraries
    load on first use.

    engine "trafilatura": trafilatura with the configured settings. With ``fast``, a result with
    fewer than ``fast_fallback_ratio`` of the words resiliparse finds as main content (or none) is
    a miss (trafilatura's fast path loses whole articles on some layouts) and the page is
    extracted again in full. engine "resiliparse-first": resiliparse's main content is kept when
    it ``reads_as_prose``; the trafilatura route above decides the other pages.
    """

    def __init__(self, cfg: ExtractConfig):
        self.cfg = cfg

    def setup(self) -> None:
        import trafilatura  # noqa: F401  (import once per worker, outside the timed region)
        from resiliparse.extract import html2text  # noqa: F401

        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        logging.getLogger("htmldate").setLevel(logging.ERROR)
        logging.getLogger("justext").setLevel(logging.ERROR)

    def _trafilatura(self, html: str, url: str | None, fast: bool) -> str:
        import trafilatura

        c = self.cfg
        return trafilatura.extract(
            html,
            url=url,
            fast=fast,
            favor_precision=c.favor_precision,
            favor_recall=c.favor_recall,
            include_comments=c.include_comments,
            include_tables=c.include_tables,
            deduplicate=False,  # trafilatura's LRU cache is per process: output would depend on scheduling
            output_format="txt",
        ) or ""

    @staticmethod
    def _resiliparse(html: str, include_comments: bool) -> str:
        from resiliparse.extract.html2text import extract_plain_text

        # alt_texts off: image descriptions are not article text (trafilatura drops them too).
        text = extract_plain_text(html, main_content=True, comments=include_comments, alt_texts=False)
        # resiliparse separates blocks by a blank line, trafilatura by a line break: one form.
        return _BLANK_LINES.sub("\n", text).strip()

    def _choose(self, html: str, url: str | None) -> tuple[str, str]:
        c = self.cfg
        resi = None
        if c.engine == "resiliparse-first":
            resi = self._resiliparse(html, c.include_comments)
            if reads_as_prose(resi):
                return resi, "resiliparse"
        if not c.fast:
            return self._trafilatura(html, url, fast=False), "trafilatura"
        text = self._trafilatura(html, url, fast=True)
        found = words(text)
        if found:
            resi = self._resiliparse(html, c.include_comments) if resi is None else resi
            if found >= c.fast_fallback_ratio * words(resi):
                return text, "trafilatura"
        return self._trafilatura(html, url, fast=False), "trafilatura-full"

    def extract(self, html: str, url: str | None = None) -> ExtractResult:
        c = self.cfg
        if len(html) > c.max_html_bytes or len(html.encode("utf-8", "surrogatepass")) > c.max_html_bytes:
            return ExtractResult("failed", "extract/too_large")
        if max_depth(html, c.max_depth) > c.max_depth:
            return ExtractResult("failed", "extract/too_deep")
        joined = 0
        if c.join_wrapped_lines:
            html, joined = join_html_lines(html)
        t0 = time.perf_counter()
        token = WATCHDOG.arm(c.timeout_s)
        try:
            try:
                text, engine = self._choose(html, url)
            finally:
                fired = WATCHDOG.disarm(token)
        except ExtractTimeout:
            return ExtractResult("failed", "extract/timeout", seconds=time.perf_counter() - t0)
        seconds = time.perf_counter() - t0
        if fired:
            return ExtractResult("failed", "extract/timeout", seconds=seconds)
        text = text.strip()
        if len(text) < c.min_text_chars:
            return ExtractResult("removed", "extract/empty", seconds=seconds, engine=engine)
        return ExtractResult("out", "", text, seconds, engine, joined)
