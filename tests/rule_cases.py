"""One realistic document per reason code, with the filter that must give that code.

Used by tests/test_filters_rules.py (one test per code) and tests/test_filter_contract.py
(every code any filter can return has a case here). Texts are built from real prose (Alice in
Wonderland from ../shared/data/books) shaped into the page each rule exists to catch; where two
rules of one set would fire on the same page, the case switches the earlier ones off in config
so that the published threshold of the rule under test decides.
"""

from __future__ import annotations

from functools import lru_cache

from curation.config import (
    FineWebConfig, GopherRepetitionConfig, LangIdConfig,
)
from curation.document import Document
from filters.books import BookRules
from filters.c4 import C4
from filters.code_rules import CodeRules
from filters.fineweb import FineWeb
from filters.gopher_quality import GopherQuality
from filters.gopher_repetition import GopherRepetition
from filters.langid import LangId
from filter_data import book_documents


@lru_cache(maxsize=1)
def prose_paragraphs() -> list[str]:
    alice = next(d for d in book_documents() if d.id == "pg11").text
    paras = [" ".join(p.split()) for p in alice.split("\n\n")]
    return [p for p in paras if len(p.split()) >= 40 and not p.isupper()]


def prose(n_paras: int = 6, start: int = 10) -> str:
    return "\n\n".join(prose_paragraphs()[start : start + n_paras])


def words(n: int, start: int = 0) -> list[str]:
    return " ".join(prose_paragraphs()[20:]).split()[start : start + n]


def rep_only(**kw) -> GopherRepetitionConfig:
    """Repetition config with only the named rules on (others set out of reach)."""
    base = dict(dup_line_frac=1.0, dup_para_frac=1.0, dup_line_char_frac=1.0, dup_para_char_frac=1.0,
                top_n_grams=[], dup_n_grams=[])
    base.update(kw)
    return GopherRepetitionConfig(**base)


def _pride() -> str:
    return next(d for d in book_documents() if d.id == "pg1342").text


def cases() -> dict[str, tuple]:
    """rule -> (filter, Document)."""
    web = lambda text, **meta: Document("case", text, "web", meta)  # noqa: E731
    c: dict[str, tuple] = {}
    gq = GopherQuality()
    c["gopher_short_doc"] = (gq, web("Down the Rabbit-Hole. Alice was beginning to get very tired of sitting by her sister."))
    c["gopher_long_doc"] = (gq, web(_pride()))
    # Extraction that lost the spaces between words: "Alicewasbeginningtoget..."
    spaceless = " ".join("".join(w.strip(".,;:!?'\"()") for w in words(4, i * 4)) for i in range(100))
    c["gopher_mean_word_length"] = (gq, web(spaceless + " the end of it and that"))
    c["gopher_symbol_ratio"] = (gq, web(prose(1) + "\n" + " ".join(f"#{w.strip('.,;!?')}" for w in words(60))))
    c["gopher_bullet_lines"] = (gq, web("\n".join(f"• {' '.join(words(8, i * 8))}" for i in range(40))))
    c["gopher_ellipsis_lines"] = (gq, web("\n".join(f"{' '.join(words(12, i * 12))}..." for i in range(20)) + "\n" + prose(1)))
    c["gopher_alpha_words"] = (gq, web("Price list, the and of with:\n" + "\n".join(
        f"{1000 + i} | {i * 3}.99 | {i % 7} | {2020 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d} | EUR {i * 11}.50" for i in range(60))))
    c["gopher_stop_words"] = (gq, web(" ".join(
        "Cheap shoes online. Buy running shoes boots sandals sneakers for men women kids. Best price guaranteed here. "
        "Free shipping over 50 dollars on every order today. Sale ends soon. Top brands Nike Adidas Puma Reebok in stock. ".split() * 3)))

    # Repetition: a forum page whose paragraphs, lines and phrases repeat.
    paras = prose_paragraphs()[10:16]
    c["gopher_dup_para_frac"] = (GopherRepetition(rep_only(dup_para_frac=0.3)), web("\n\n".join(paras[:3] * 3)))
    c["gopher_dup_para_char_frac"] = (GopherRepetition(rep_only(dup_para_char_frac=0.2)), web(
        "\n\n".join(paras[:5] + [paras[1]])))
    c["gopher_dup_line_frac"] = (GopherRepetition(rep_only(dup_line_frac=0.3)), web(
        "\n".join(f"{' '.join(words(10, i * 10))}\nReply\nShare" for i in range(12))))
    c["gopher_dup_line_char_frac"] = (GopherRepetition(rep_only(dup_line_char_frac=0.2)), web(
        "\n".join(paras[:3] + [paras[0]])))
    for n, frac in GopherRepetitionConfig().top_n_grams:
        n = int(n)
        phrase = ["will", "you", "won't", "you"][:n]
        text = " ".join(w for i, chunk in enumerate(range(40)) for w in phrase + words(3, i * 3))
        c[f"gopher_top_{n}_gram"] = (GopherRepetition(rep_only(top_n_grams=[[n, frac]])), web(text))
    for n, frac in GopherRepetitionConfig().dup_n_grams:
        n = int(n)
        chorus = words(2 * n, 500)  # a song page: verses between repeats of the chorus
        text = " ".join(words(40) + chorus + words(10, 100) + chorus + words(10, 200) + chorus + chorus + chorus)
        c[f"gopher_dup_{n}_gram"] = (GopherRepetition(rep_only(dup_n_grams=[[n, frac]])), web(text))

    c4 = C4()
    c["c4_lorem_ipsum"] = (c4, web(prose(2) + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod."))
    c["c4_curly_bracket"] = (c4, web(prose(2) + "\nfunction init() { window.dataLayer = window.dataLayer || []; return true; }."))
    c["c4_too_few_sentences"] = (c4, web("Home\nAbout us\nContact\nWelcome to our website.\n"
                                         "Cookies: This site uses cookies to improve your experience."))

    fw = FineWeb()
    c["fineweb_empty"] = (fw, web("\n  \n\n"))
    c["fineweb_line_punct_ratio"] = (fw, web("\n".join(" ".join(words(9, i * 9)).rstrip(".,;!?") for i in range(30))))
    c["fineweb_short_line_ratio"] = (fw, web("\n".join(["Menu", "Home", "News", "Sport", "Weather", "Contact us."] * 3 + [prose(1)])))
    c["fineweb_char_dup_ratio"] = (fw, web("\n".join(paras[:4] + [paras[0]])))
    c["fineweb_list_ratio"] = (FineWeb(FineWebConfig(short_line_thr=1.0)), web(
        "\n".join(f"{w.strip('.,;:!?')}." for w in words(60))))

    cr = CodeRules()
    code = lambda text: Document("case.py", text, "code", {"language": "python"})  # noqa: E731
    c["code_empty"] = (cr, code("\n\n   \n"))
    c["code_max_line_length"] = (cr, code("import base64\nDATA = '" + "QUJD" * 400 + "'\nprint(base64.b64decode(DATA))\n"))
    minified = ("var a{i}=function(b,c){{return b.map(function(d){{return d*c+{i}}}).filter(function(e){{return e>{i}}})"
                ".reduce(function(f,g){{return f+g}},0)}};")
    c["code_mean_line_length"] = (cr, code("\n".join(minified.format(i=i) for i in range(30))))
    banner = ["#=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=#", "||   ::   ||   ::   ||   ::   ||"] * 20
    c["code_alnum_fraction"] = (cr, code("# ascii art banner\n" + "\n".join(banner)))
    c["code_hex_fraction"] = (cr, code("TABLE = [\n" + "\n".join(
        ", ".join(f"0x{(i * 37 + j * 11) % 256:02x}" for j in range(12)) + "," for i in range(40)) + "\n]\n"))

    br = BookRules()
    book = lambda text: Document("book", text, "books")  # noqa: E731
    c["book_short"] = (br, book(prose(3)))
    licence = "This eBook is for the use of anyone anywhere at no cost. Project Gutenberg License terms. "
    c["book_boilerplate"] = (br, book((licence * 20 + prose(1) + " ") * 15))

    lid = LangId(LangIdConfig(allowlist=["en"]))
    c["langid_not_allowed"] = (lid, Document("case", "Der Fliegende Holländer ist eine romantische Oper in drei Aufzügen von Richard Wagner.", "web"))
    c["langid_too_short"] = (LangId(), web("Home | Login"))
    c["langid_low_score"] = (LangId(), web("OK ok lol 2024 xD :) ok " * 5))  # a chat line: no language above 0.65
    from quality_signal_cases import quality_signal_cases  # URL lists and the quality classifier

    c.update(quality_signal_cases())
    return c
