"""Paragraphs, not source lines: undo hard wrapping before any line rule. No Beam here.

C4's line rules (a line must end in terminal punctuation, have enough words ...) mean the
paragraphs of a page: on text whose paragraphs are wrapped at a fixed column every wrapped line
fails them and half of each sentence is deleted (issue 19: 61% of the extracted text of kept
Rust-book pages). Two inputs need it:

- HTML (``join_html_lines``, before extraction): a line break inside HTML text is white space
  that a browser renders as one space (CSS ``white-space: normal``). Static site generators,
  documentation tools and mail archives wrap ``<p>`` text at 80 columns, and trafilatura keeps
  those breaks in any paragraph that holds inline ``<code>`` (it treats the paragraph as
  preformatted). So
  every run of white space holding a line break becomes one space, except where markup says the
  breaks are content: ``<pre>``, ``<textarea>``, ``<listing>``, ``<xmp>``, ``<plaintext>``,
  ``<script>``, ``<style>`` and any element styled ``white-space: pre | pre-wrap | pre-line |
  break-spaces`` (verse and code blocks). ``<br>``, list items, headings and table rows are
  elements, so the extractor still puts them on lines of their own.
- Plain text (``unwrap_text``: books, ``--docs`` rows): paragraphs are separated by blank lines;
  a line break inside a paragraph is a wrap when the next line's first word would not have fit
  on the line (``len(line) + 1 + len(word) > 0.9 * width``, the width being the 95th percentile
  of the text's line lengths, less a margin for ragged wrapping), which is how every
  line-filling wrapper decides. Verse, addresses,
  tables and lists break early, fail that test and keep their lines; so do lines that start a
  list item, a table row, a fenced code block or an indented block. A text is unwrapped only
  when its width is a terminal's (``MIN_WIDTH``-``MAX_WIDTH`` columns: one-paragraph-per-line
  extractor output is left alone) and it looks hard-wrapped (``MIN_WRAPPED_SHARE`` of its
  in-paragraph breaks pass the test), so already-unwrapped text is left alone too.
"""

from __future__ import annotations

import re

from curation.document import Document

# ------------------------------------------------------------------ HTML
# Elements whose text keeps its line breaks (HTML's own list, plus script/style: not text).
# One pass over their start and end tags (a regex spanning start to end tag would rescan the
# rest of the page for every unclosed one: quadratic on hostile input).
_PRE_TAGS = re.compile(r"<(/?)(pre|textarea|listing|xmp|plaintext|script|style)\b[^>]*>", re.I)
_PRE_STYLED = re.compile(r"""<([a-zA-Z][\w:-]*)\b[^>]*?\bstyle\s*=\s*["'][^"']*white-space\s*:\s*(?:pre|break-spaces)""", re.I)
# From the first line break of a white-space run to its end. The run's spaces before that break
# are trimmed by str.rstrip: a pattern that starts with optional spaces is tried at every space
# of the page, which made this scan cost a fifth of extraction (bench/extract_speed.py).
_BREAK_TO_RUN_END = re.compile(r"(?:\r\n?|\n)[ \t\r\n]*")


def _styled_pre_spans(html: str) -> list[tuple[int, int]]:
    """(start, end) of each element styled white-space: pre*, matched by counting its tag name."""
    spans = []
    pos = 0
    while True:
        m = _PRE_STYLED.search(html, pos)
        if not m:
            return spans
        name = re.escape(m.group(1))
        tags = re.compile(rf"<(/?){name}\b[^>]*>", re.I)
        depth, end = 0, len(html)
        for t in tags.finditer(html, m.start()):
            if t.group(0).endswith("/>"):
                continue
            depth += -1 if t.group(1) else 1
            if depth == 0:
                end = t.end()
                break
        spans.append((m.start(), end))
        pos = end


def _pre_element_spans(html: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost pre-like element; an unclosed one runs to the end."""
    spans = []
    open_name, start, depth = "", 0, 0
    for m in _PRE_TAGS.finditer(html):
        name = m.group(2).lower()
        if not open_name:
            if not m.group(1):
                open_name, start, depth = name, m.start(), 1
        elif name == open_name:
            depth += -1 if m.group(1) else 1
            if depth == 0:
                spans.append((start, m.end()))
                open_name = ""
    if open_name:
        spans.append((start, len(html)))
    return spans


def _kept_spans(html: str) -> list[tuple[int, int]]:
    spans = _pre_element_spans(html)
    if "white-space" in html:
        spans += _styled_pre_spans(html)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _join_flowing(flowing: str) -> tuple[str, int]:
    """Every run of spaces, tabs and line breaks that holds a line break becomes one space; the
    count is of such runs between two characters of text (neither white space nor next to a tag:
    what wrapping inserted)."""
    parts = _BREAK_TO_RUN_END.sub("\n", flowing).split("\n")
    if len(parts) == 1:
        return flowing, 0
    last = len(parts) - 1
    heads = [p.rstrip(" \t") for p in parts[:last]]
    joined = 0
    for i, head in enumerate(heads):
        # heads[i] ends just before a run and parts[i + 1] starts just after it.
        before, after = head[-1:], parts[i + 1][:1]
        if before and after and before != ">" and after != "<" and not before.isspace() and not after.isspace():
            joined += 1
    return " ".join(heads + [parts[last]]), joined


def join_html_lines(html: str) -> tuple[str, int]:
    """(html with line breaks in flowing text made spaces, number of breaks inside text joined)."""
    if "\n" not in html and "\r" not in html:
        return html, 0
    out, joined, pos = [], 0, 0
    for s, e in _kept_spans(html) + [(len(html), len(html))]:
        text, n = _join_flowing(html[pos:s])
        out.append(text)
        joined += n
        out.append(html[s:e])
        pos = e
    return "".join(out), joined


# ------------------------------------------------------------------ plain text
MIN_LINES = 8  # fewer non-blank lines: too little to tell a wrap width (left as is)
MIN_WIDTH = 40  # a wrap width below this is not prose wrapping (verse, lists, tables)
# Hard wrapping happens at terminal and mail widths (60-132 columns); text whose long lines are
# longer is one paragraph per line already (extractor output, WET text): never joined.
MAX_WIDTH = 160
MIN_WRAPPED_SHARE = 0.5  # of in-paragraph breaks passing the fit test, for a text to count as hard-wrapped
# Hand- and tool-wrapped texts have ragged margins (Gutenberg books: lines of 64-75 characters
# in one book), so a break is a wrap when the next word would have passed 90% of the width.
WRAP_SLACK = 0.1
_STARTS_BLOCK = re.compile(r"\s|[-*+\u2022\u00b7>|#]\s?|\d{1,3}[.)]\s|[a-zA-Z][.)]\s|```|~~~")


def _width(lines: list[str]) -> int:
    lengths = sorted(len(x) for x in lines if x.strip())
    return lengths[min(len(lengths) - 1, int(0.95 * len(lengths)))] if lengths else 0


def _is_wrap(line: str, nxt: str, width: int) -> bool:
    if not line.strip() or not nxt.strip() or _STARTS_BLOCK.match(nxt):
        return False
    if line.strip() == nxt.strip():
        # Wrapping never repeats a line: a repeated line is a line (Gopher's repetition rules count them).
        return False
    first = nxt.split(None, 1)[0]
    return len(line.rstrip()) + 1 + len(first) > (1 - WRAP_SLACK) * width


def unwrap_text(text: str) -> tuple[str, int]:
    """(text with hard-wrapped paragraph lines joined by one space, number of breaks joined)."""
    lines = text.split("\n")
    if sum(1 for x in lines if x.strip()) < MIN_LINES:
        return text, 0
    width = _width(lines)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return text, 0
    fenced = False
    wraps = []  # index i: the break after lines[i] is a wrap
    inner = 0
    for i in range(len(lines) - 1):
        if lines[i].lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not lines[i].strip() or not lines[i + 1].strip():
            continue
        inner += 1
        if _is_wrap(lines[i], lines[i + 1], width):
            wraps.append(i)
    if not wraps or len(wraps) < MIN_WRAPPED_SHARE * inner:
        return text, 0
    wrap_set = set(wraps)
    out = [lines[0]]
    for i in range(1, len(lines)):
        if i - 1 in wrap_set:
            out[-1] = out[-1].rstrip() + " " + lines[i].lstrip()
        else:
            out.append(lines[i])
    return "\n".join(out), len(wraps)


# ------------------------------------------------------------------ documents
NO_UNWRAP_SOURCES = frozenset({"code"})  # line breaks in source code are content


def unwrap_document(doc: Document) -> tuple[Document, int]:
    """The document with ``unwrap_text`` applied (``lines_joined`` recorded in its metadata, so
    the change is visible), and the number of breaks joined; code is left as it is."""
    if doc.source in NO_UNWRAP_SOURCES or "\n" not in doc.text:
        return doc, 0
    text, joined = unwrap_text(doc.text)
    if not joined:
        return doc, 0
    return Document(doc.id, text, doc.source, dict(doc.metadata, lines_joined=joined)), joined
