"""Build the bundled sample inputs from the texts in sample_data/authored/.

    python sample_data/make_sample.py [DIR]   # rewrites web/, books/ and code/ (default: beside this file)

Deterministic: fixed dates, record ids from uuid5, gzip members with mtime 0, sorted order, so a
rerun gives byte-identical files (tests/test_read_pipeline.py checks the committed copy).

web/sample.warc.gz: a WARC/1.1 crawl, one gzip member per record (as Common Crawl writes it):
warcinfo; request + response pairs for ~40 HTML pages in en, de, fr, es, ru and zh wrapped in
site templates with navigation, cookie banners and footers; near-duplicate copies (a few words
changed, another URL), exact copies (another URL or another site's template), junk (keyword spam,
link farm, lorem ipsum, too short, login page, empty listing); a page in windows-1252 declared only
in a meta tag, one declared only in the HTTP header, one declared nowhere, one sent with
Content-Encoding: gzip; a 404, a 301, an image/png, an application/pdf, a revisit and metadata
records. books/: three stories in Project Gutenberg layout (new, old and oldest marker styles; one
Latin-1 with CRLF, one UTF-8 with BOM). code/weatherlog/: a small source tree with a licence,
Python, JavaScript, a shell script with a shebang, and the files a code reader must skip
(node_modules/, a minified bundle, package-lock.json, generated protobuf code, a PNG).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import io
import json
import shutil
import struct
import sys
import uuid
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from authored import articles_en, articles_intl, book_de, book_en, book_fr, code_tree  # noqa: E402

CRAWL_DAY = "2024-05-14"

# ------------------------------------------------------------------ site templates
SITES = {
    "en_news": {
        "host": "www.riverside-courier.example",
        "name": "The Riverside Courier",
        "lang": "en",
        "nav": ["Home", "News", "Business", "Sport", "Culture", "Opinion", "Weather", "Subscribe"],
        "cookie": "We use cookies to give you the best experience on our website. By clicking Accept all you agree to the storing of cookies on your device to enhance site navigation, analyse site usage and assist in our marketing efforts.",
        "cookie_buttons": ["Accept all", "Manage preferences"],
        "related": "Most read",
        "related_items": ["Council approves new cycle lanes", "Five cheap days out this summer", "Storm warning for the weekend", "Letters: the bus timetable"],
        "footer": ["About us", "Contact", "Advertise", "Privacy policy", "Cookie settings", "Terms of use"],
        "copyright": "© 2024 Riverside Courier Media Ltd. All rights reserved.",
    },
    "en_blog": {
        "host": "notes.greenfieldhome.example",
        "name": "Greenfield Home Notes",
        "lang": "en",
        "nav": ["Blog", "Recipes", "Garden", "Energy", "About", "Newsletter"],
        "cookie": "This site uses cookies. Some of them are essential, while others help us improve your experience. You can read more in our privacy notice.",
        "cookie_buttons": ["OK", "Settings"],
        "related": "You might also like",
        "related_items": ["Ten houseplants that survive anything", "Our kitchen renovation, one year later", "How we cut our water bill"],
        "footer": ["Archive", "Privacy", "Imprint", "RSS"],
        "copyright": "© 2024 Greenfield Home Notes. Powered by a static site generator.",
    },
    "de": {
        "host": "www.tagesblatt-kellbach.example",
        "name": "Kellbacher Tagesblatt",
        "lang": "de",
        "nav": ["Startseite", "Lokales", "Politik", "Wirtschaft", "Sport", "Kultur", "Abo"],
        "cookie": "Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren und die Zugriffe auf unsere Website zu analysieren. Mit Klick auf Zustimmen willigen Sie ein.",
        "cookie_buttons": ["Zustimmen", "Einstellungen"],
        "related": "Meistgelesen",
        "related_items": ["Neue Buslinie ab Montag", "Stadtfest: das Programm", "Baustelle an der Brücke verlängert"],
        "footer": ["Impressum", "Datenschutz", "Kontakt", "AGB", "Cookie-Einstellungen"],
        "copyright": "© 2024 Kellbacher Verlagsgesellschaft mbH",
    },
    "fr": {
        "host": "www.lejournaldusud.example",
        "name": "Le Journal du Sud",
        "lang": "fr",
        "nav": ["Accueil", "Actualités", "Région", "Économie", "Sports", "Culture", "S'abonner"],
        "cookie": "Nous utilisons des cookies pour améliorer votre expérience, mesurer l'audience et vous proposer des contenus adaptés. Vous pouvez modifier vos choix à tout moment.",
        "cookie_buttons": ["Tout accepter", "Paramétrer"],
        "related": "Les plus lus",
        "related_items": ["Canicule : les conseils des médecins", "La fête du village en images", "Travaux sur la départementale"],
        "footer": ["Mentions légales", "Confidentialité", "Contact", "Publicité"],
        "copyright": "© 2024 Le Journal du Sud – Tous droits réservés",
    },
    "es": {
        "host": "www.diariodelsur.example",
        "name": "Diario del Sur",
        "lang": "es",
        "nav": ["Portada", "Local", "España", "Economía", "Deportes", "Cultura", "Suscríbete"],
        "cookie": "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad relacionada con sus preferencias. Si continúa navegando, consideramos que acepta su uso.",
        "cookie_buttons": ["Aceptar", "Configurar"],
        "related": "Lo más leído",
        "related_items": ["Ola de calor este fin de semana", "Nuevo horario del autobús", "Fiestas del barrio: programa"],
        "footer": ["Aviso legal", "Privacidad", "Contacto", "Publicidad"],
        "copyright": "© 2024 Diario del Sur S.L.",
    },
    "ru": {
        "host": "www.novosti-sibiri.example",
        "name": "Новости Сибири",
        "lang": "ru",
        "nav": ["Главная", "Новости", "Общество", "Путешествия", "Культура", "Контакты"],
        "cookie": "Мы используем файлы cookie, чтобы сделать сайт удобнее. Продолжая пользоваться сайтом, вы соглашаетесь с этим.",
        "cookie_buttons": ["Принять", "Подробнее"],
        "related": "Популярное",
        "related_items": ["Погода на выходные", "Новый мост через реку", "Фестиваль в Иркутске"],
        "footer": ["О редакции", "Реклама", "Политика конфиденциальности"],
        "copyright": "© 2024 Новости Сибири",
    },
    "zh": {
        "host": "www.lvxing-shenghuo.example",
        "name": "旅行与生活",
        "lang": "zh",
        "nav": ["首页", "旅行", "美食", "文化", "生活", "联系我们"],
        "cookie": "本网站使用cookie来改善您的浏览体验。继续浏览即表示您同意我们使用cookie。",
        "cookie_buttons": ["接受", "了解更多"],
        "related": "热门文章",
        "related_items": ["夏天去哪里避暑", "十道家常菜", "城市骑行指南"],
        "footer": ["关于我们", "隐私政策", "广告合作"],
        "copyright": "© 2024 旅行与生活 版权所有",
    },
}


def render_page(site_key: str, title: str, paragraphs: list[str], *, meta_charset: str | None = "utf-8",
                http_equiv: str | None = None, byline: str = "", comments: list[str] = ()) -> str:
    """An article page as real sites write them: the main text among boiler-plate."""
    s = SITES[site_key]
    e = html.escape
    head = []
    if meta_charset:
        head.append(f'<meta charset="{meta_charset}">')
    if http_equiv:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={http_equiv}">')
    nav = "".join(f'<li><a href="/{e(x.lower())}/">{e(x)}</a></li>' for x in s["nav"])
    related = "".join(f'<li><a href="/story/{i}">{e(x)}</a></li>' for i, x in enumerate(s["related_items"]))
    footer = " | ".join(f'<a href="/{e(x.lower())}">{e(x)}</a>' for x in s["footer"])
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
    comment_html = ""
    if comments:
        comment_html = '<section class="comments"><h3>Comments</h3>' + "".join(
            f'<div class="comment"><span class="author">reader{i}</span><p>{e(c)}</p></div>' for i, c in enumerate(comments)
        ) + "</section>"
    buttons = "".join(f'<button type="button">{e(b)}</button>' for b in s["cookie_buttons"])
    return f"""<!DOCTYPE html>
<html lang="{s['lang']}">
<head>
{chr(10).join(head)}
<title>{e(title)} | {e(s['name'])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} gtag('js', new Date());</script>
</head>
<body>
<div id="cookie-banner" class="cookie-consent" role="dialog"><p>{e(s['cookie'])}</p>{buttons}</div>
<header class="site-header"><a class="logo" href="/">{e(s['name'])}</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"><button>Search</button></form>
</header>
<main>
<article>
<h1>{e(title)}</h1>
<p class="byline">{e(byline)}</p>
{body}
<div class="share">Share: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a></div>
</article>
{comment_html}
<aside class="sidebar"><h3>{e(s['related'])}</h3><ul>{related}</ul>
<div class="newsletter">Get our newsletter every morning. <input placeholder="Your email"><button>Sign up</button></div></aside>
</main>
<footer class="site-footer"><p>{footer}</p><p>{e(s['copyright'])}</p></footer>
</body>
</html>
"""


def render_raw(title: str, body_html: str, lang: str = "en") -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body>
{body_html}
</body></html>
"""


# ------------------------------------------------------------------ the crawl plan
def _edit(paragraphs: list[str], edits: list[tuple[str, str]]) -> list[str]:
    """A near-duplicate: each (old, new) replaced once; the text must contain every old."""
    text = "\n\n".join(paragraphs)
    for old, new in edits:
        if old not in text:
            raise ValueError(f"near-duplicate edit {old!r} not found")
        text = text.replace(old, new, 1)
    return text.split("\n\n")


LOREM = [
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.",
    "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.",
    "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo.",
    "Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet.",
]

SPAM_WORDS = [
    "cheap watches", "replica watches", "best price", "buy now", "free shipping", "discount code", "luxury bags",
    "cheap flights", "casino bonus", "online casino", "payday loans", "weight loss pills", "cheap viagra",
    "crypto signals", "forex robot", "seo services", "backlinks cheap", "followers instant",
]


def junk_pages() -> list[tuple[str, str, str]]:
    """(url, html, note) for pages the quality filters must drop."""
    spam_list = "\n".join(f"<li>{w} {w} {w.upper()} - {w} online</li>" for w in SPAM_WORDS * 3)
    stuffed = " ".join(f"{w} best {w} cheap {w} online" for w in SPAM_WORDS)
    link_farm = "\n".join(
        f'<a href="https://partner{i}.example/">{w}</a><br>' for i, w in enumerate(SPAM_WORDS * 2)
    )
    pages = [
        ("https://www.best-deals-online.example/cheap-watches-replica", render_raw(
            "cheap watches replica watches best price", f"<h1>CHEAP WATCHES BEST PRICE</h1><ul>{spam_list}</ul>"), "keyword list"),
        ("https://www.best-deals-online.example/seo-guide", render_raw(
            "seo services backlinks", f"<h1>SEO</h1><p>{stuffed}</p><p>{stuffed}</p>"), "keyword stuffing"),
        ("https://links.partner-network.example/directory", render_raw(
            "Partner directory", f"<h2>Partners</h2>{link_farm}"), "link farm"),
        ("https://notes.greenfieldhome.example/draft-post", render_page(
            "en_blog", "Lorem ipsum dolor sit amet", LOREM * 2), "lorem ipsum"),
        ("https://www.theme-demo.example/sample-page", render_raw(
            "Sample Page", "<h1>Sample Page</h1><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p><p>Lorem ipsum dolor sit amet.</p>"), "lorem ipsum, short"),
        ("https://www.riverside-courier.example/region-blocked", render_raw(
            "Unavailable", "<p>This content is not available in your region.</p>"), "too short"),
        ("https://accounts.riverside-courier.example/login", render_raw(
            "Sign in", '<form><h2>Sign in</h2><label>Email</label><input><label>Password</label><input type="password"><button>Sign in</button><a href="/reset">Forgot password?</a></form>'), "login form"),
        ("https://www.riverside-courier.example/tag/gardening?page=9", render_page(
            "en_news", "Tag: gardening", []), "empty listing"),
    ]
    return pages


def crawl_plan() -> list[dict]:
    """Every HTTP exchange of the sample crawl, in crawl order."""
    plan: list[dict] = []
    en = {slug: (title, paras) for slug, title, paras in articles_en.ARTICLES}
    intl = {slug: (lang, title, paras) for lang, slug, title, paras in articles_intl.ARTICLES}
    blog_slugs = {"sourdough-guide", "home-solar", "marathon-training"}

    def page(url, html_text, *, charset="utf-8", header_charset=True, status=200, encoding=None, note=""):
        plan.append({"url": url, "html": html_text, "charset": charset, "header_charset": header_charset,
                     "status": status, "content_encoding": encoding, "note": note})

    for i, (slug, title, paras) in enumerate(articles_en.ARTICLES):
        site = "en_blog" if slug in blog_slugs else "en_news"
        host = SITES[site]["host"]
        comments = ["Great read, thank you!", "I tried this last year and it worked."] if site == "en_blog" else ()
        # One page comes with Content-Encoding: gzip, as servers send it when the archiver did not decode.
        page(f"https://{host}/2024/05/{slug}", render_page(site, title, paras, byline=f"By staff reporter, 1{i} May 2024", comments=comments),
             encoding="gzip" if slug == "how-tides-work" else None)
    slug, title, paras = articles_en.PII_ARTICLE
    page(f"https://www.riverside-rowing.example.org/news/{slug}", render_page("en_blog", title, paras), note="pii")

    for lang, slug, title, paras in articles_intl.ARTICLES:
        host = SITES[lang]["host"]
        url = f"https://{host}/{slug}.html"
        if slug == "marche-provencal":
            # windows-1252, declared only in a meta http-equiv tag: the HTTP header says text/html.
            page(url, render_page(lang, title, paras, meta_charset=None, http_equiv="windows-1252"),
                 charset="cp1252", header_charset=False, note="cp1252 meta only")
        elif lang == "ru":
            page(url, render_page(lang, title, paras, meta_charset=None), note="charset in header only")
        elif slug == "siesta-trabajo":
            page(url, render_page(lang, title, paras, meta_charset=None), header_charset=False, note="no charset declared")
        else:
            page(url, render_page(lang, title, paras))

    # Near-duplicates: the same article with a few words changed, under another URL.
    near = [
        ("en", "rooftop-bees", "https://www.riverside-courier.example/amp/rooftop-bees", "en_news",
         [("six white hives", "seven white hives"), ("thirty-one years", "thirty years"), ("twenty-two members", "twenty-four members")]),
        ("en", "bicycle-history", "https://www.riverside-courier.example/features/bicycle-history-revisited", "en_news",
         [("very dangerous", "extremely dangerous"), ("cheap enough", "affordable enough"), ("a great deal", "a lot")]),
        ("en", "library-reopens", "https://www.riverside-courier.example/2024/05/library-reopens-updated", "en_news",
         [("Several hundred residents", "Hundreds of residents"), ("forty desks", "forty-two desks"), ("two thousand private donations", "two thousand individual donations")]),
        ("de", "energiewende-im-dorf", "https://www.tagesblatt-kellbach.example/region/energiewende-im-dorf.html", "de",
         [("mehr als zweihundert Mitglieder", "fast dreihundert Mitglieder"), ("deutlich", "spürbar")]),
        ("es", "tapas-sevilla", "https://www.diariodelsur.example/viajes/tapas-triana.html", "es",
         [("más de cien años", "casi cien años"), ("un vaso de vino fresco", "una copa de vino fresco")]),
    ]
    for lang, slug, url, site, edits in near:
        title, paras = en[slug] if lang == "en" else intl[slug][1:]
        page(url, render_page(site, title, _edit(paras, edits)), note="near-duplicate")

    # Exact copies: the same article under a tracking-parameter URL and syndicated on another site.
    title, paras = en["how-tides-work"]
    page("https://www.riverside-courier.example/2024/05/how-tides-work?utm_source=newsletter&utm_medium=email",
         render_page("en_news", title, paras, byline="By staff reporter, 17 May 2024"), note="exact duplicate")
    title, paras = en["sourdough-guide"]
    page("https://www.riverside-courier.example/food/sourdough-guide", render_page("en_news", title, paras), note="exact duplicate, other template")
    title, paras = intl["metro-histoire"][1:]
    page("https://www.lejournaldusud.example/metro-histoire.html?amp=1", render_page("fr", title, paras), note="exact duplicate")

    for url, html_text, note in junk_pages():
        page(url, html_text, note=note)
    return plan


# ------------------------------------------------------------------ WARC writing
def _uuid(*parts: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(parts))}>"


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _date(i: int) -> str:
    return f"{CRAWL_DAY}T{8 + i // 3600:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"


def _record(warc_type: str, headers: list[tuple[str, str]], block: bytes) -> bytes:
    lines = ["WARC/1.1", f"WARC-Type: {warc_type}"] + [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def _http_response(status: int, reason: str, headers: list[tuple[str, str]], payload: bytes) -> bytes:
    head = [f"HTTP/1.1 {status} {reason}", "Date: Tue, 14 May 2024 08:00:00 GMT", "Server: nginx"]
    head += [f"{k}: {v}" for k, v in headers]
    head.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


def _http_request(url: str) -> bytes:
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curate-sample-crawler/1.0\r\n"
            "Accept: text/html,application/xhtml+xml\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").encode("utf-8")


def _tiny_png(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"".join(bytes([(x * 60) % 256, (y * 60) % 256, 128]) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _tiny_pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def build_warc() -> bytes:
    members: list[bytes] = []
    i = 0
    info = b"software: curate sample_data/make_sample.py\r\nformat: WARC File Format 1.1\r\nrobots: obey\r\n"
    members.append(_record("warcinfo", [("WARC-Date", _date(0)), ("WARC-Filename", "sample.warc.gz"),
                                        ("WARC-Record-ID", _uuid("warcinfo")), ("Content-Type", "application/warc-fields")], info))

    def exchange(url: str, status: int, reason: str, ctype: str, payload: bytes, extra: list[tuple[str, str]] = ()):
        nonlocal i
        i += 7
        date = _date(i)
        req = _http_request(url)
        req_id = _uuid(url, date, "request")
        resp_id = _uuid(url, date, "response")
        members.append(_record("request", [("WARC-Date", date), ("WARC-Record-ID", req_id), ("WARC-Target-URI", url),
                                           ("WARC-Concurrent-To", resp_id), ("Content-Type", "application/http;msgtype=request"),
                                           ("WARC-Block-Digest", _sha1_b32(req))], req))
        headers = [("Content-Type", ctype)] + list(extra)
        block = _http_response(status, reason, headers, payload)
        members.append(_record("response", [("WARC-Date", date), ("WARC-Record-ID", resp_id), ("WARC-Target-URI", url),
                                            ("WARC-IP-Address", "192.0.2.10"), ("Content-Type", "application/http;msgtype=response"),
                                            ("WARC-Block-Digest", _sha1_b32(block)), ("WARC-Payload-Digest", _sha1_b32(payload))], block))
        return date, payload

    for entry in crawl_plan():
        body = entry["html"].encode(entry["charset"])
        ctype = f"text/html; charset={entry['charset'] if entry['charset'] != 'cp1252' else 'windows-1252'}" if entry["header_charset"] else "text/html"
        extra = []
        if entry["content_encoding"] == "gzip":
            body = _gz(body)
            extra.append(("Content-Encoding", "gzip"))
        exchange(entry["url"], entry["status"], "OK", ctype, body, extra)

    exchange("https://www.riverside-courier.example/2024/05/old-story", 404, "Not Found", "text/html; charset=utf-8",
             render_raw("Page not found", "<h1>404</h1><p>Sorry, we could not find the page you were looking for.</p>").encode("utf-8"))
    exchange("https://www.riverside-courier.example/news", 301, "Moved Permanently", "text/html; charset=utf-8",
             b'<html><body><a href="https://www.riverside-courier.example/news/">Moved</a></body></html>',
             [("Location", "https://www.riverside-courier.example/news/")])
    exchange("https://www.riverside-courier.example/static/logo.png", 200, "OK", "image/png", _tiny_png())
    exchange("https://www.lejournaldusud.example/docs/tarifs-abonnement.pdf", 200, "OK", "application/pdf", _tiny_pdf())

    # A revisit of the first English article: identical payload, only headers are stored.
    first_url = f"https://{SITES['en_news']['host']}/2024/05/rooftop-bees"
    i += 7
    date = _date(i)
    first = next(e for e in crawl_plan() if e["url"] == first_url)
    rev_block = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nServer: nginx\r\n\r\n").encode("latin-1")
    members.append(_record("revisit", [("WARC-Date", date), ("WARC-Record-ID", _uuid(first_url, date, "revisit")),
                                       ("WARC-Target-URI", first_url),
                                       ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
                                       ("WARC-Refers-To-Target-URI", first_url), ("WARC-Refers-To-Date", _date(7)),
                                       ("WARC-Payload-Digest", _sha1_b32(first["html"].encode("utf-8"))),
                                       ("Content-Type", "application/http;msgtype=response")], rev_block))
    for k, url in enumerate([first_url, f"https://{SITES['de']['host']}/brotkultur.html"]):
        meta = f"via: https://{SITES['en_news']['host']}/\r\nhopsFromSeed: L\r\nfetchTimeMs: {140 + k * 31}\r\n".encode("utf-8")
        members.append(_record("metadata", [("WARC-Date", _date(i + 1 + k)), ("WARC-Record-ID", _uuid(url, "metadata")),
                                            ("WARC-Target-URI", url), ("Content-Type", "application/warc-fields")], meta))
    return b"".join(_gz(m) for m in members)


# ------------------------------------------------------------------ books
LICENSE_FOOTER = """*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

To protect the Project Gutenberg mission of promoting the free
distribution of electronic works, by using or distributing this work
(or any other work associated in any way with the phrase "Project
Gutenberg"), you agree to comply with all the terms of the Full Project
Gutenberg License available with this file or online at
www.gutenberg.org/license.

Section 1. General Terms of Use and Redistributing Project Gutenberg
electronic works

1.A. By reading or using any part of this Project Gutenberg electronic
work, you indicate that you have read, understand, agree to and accept
all the terms of this license and intellectual property (trademark/
copyright) agreement. If you do not agree to abide by all the terms of
this agreement, you must cease using and return or destroy all copies
of Project Gutenberg electronic works in your possession.

Section 5. General Information About Project Gutenberg electronic works.

Most people start at our Web site which has the main PG search
facility: www.gutenberg.org

This Web site includes information about Project Gutenberg, including
how to make donations to the Project Gutenberg Literary Archive
Foundation, how to help produce our new eBooks, and how to subscribe to
our email newsletter to hear about new eBooks.
"""

SAMPLE_NOTE = "This story was written for the curate sample data; only its layout follows Project Gutenberg."


def _book_body(chapters) -> str:
    return "\n\n\n".join(f"{head}\n\n\n{text}" for head, text in chapters)


def book_new_style(mod, number: int) -> str:
    """The 2020s layout: "*** START OF THE PROJECT GUTENBERG EBOOK ..." and the full licence."""
    t = mod.TITLE.upper()
    return f"""The Project Gutenberg eBook of {mod.TITLE}, by {mod.AUTHOR}

This eBook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this eBook or online at
www.gutenberg.org. If you are not located in the United States, you
will have to check the laws of the country where you are located before
using this eBook.

Title: {mod.TITLE}

Author: {mod.AUTHOR}

Release Date: May 14, 2024 [eBook #{number}]

Language: {mod.LANGUAGE}

Character set encoding: UTF-8

Produced by: {SAMPLE_NOTE}

*** START OF THE PROJECT GUTENBERG EBOOK {t} ***




{mod.TITLE.upper()}

by {mod.AUTHOR}




{_book_body(mod.CHAPTERS)}




*** END OF THE PROJECT GUTENBERG EBOOK {t} ***

Updated editions will replace the previous one--the old editions will
be renamed.

{LICENSE_FOOTER}"""


def book_this_style(mod, number: int) -> str:
    """The 2000s-2010s layout: "*** START OF THIS PROJECT GUTENBERG EBOOK ..." and ISO-8859-1."""
    t = mod.TITLE.upper()
    return f"""The Project Gutenberg EBook of {mod.TITLE}, by {mod.AUTHOR}

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.org


Title: {mod.TITLE}

Author: {mod.AUTHOR}

Release Date: May 14, 2004 [EBook #{number}]

Language: {mod.LANGUAGE}

Character set encoding: ISO-8859-1

*** START OF THIS PROJECT GUTENBERG EBOOK {t} ***




Produced by {SAMPLE_NOTE}




{_book_body(mod.CHAPTERS)}




End of the Project Gutenberg EBook of {mod.TITLE}, by {mod.AUTHOR}

*** END OF THIS PROJECT GUTENBERG EBOOK {t} ***

***** This file should be named {number}-8.txt or {number}-8.zip *****

{LICENSE_FOOTER}"""


def book_small_print_style(mod, number: int) -> str:
    """The 1990s layout: the "SMALL PRINT!" header block and an "End of ..." line, no *** markers."""
    return f"""**The Project Gutenberg Etext of {mod.TITLE}, by {mod.AUTHOR}**

Copyright laws are changing all over the world, be sure to check
the copyright laws for your country before posting these files!!

Please take a look at the important information in this header.

Title: {mod.TITLE}

Author: {mod.AUTHOR}

Language: {mod.LANGUAGE}

Edition: 10 [Etext #{number}]

**Welcome To The World of Free Plain Vanilla Electronic Texts**

**Etexts Readable By Both Humans and By Computers, Since 1971**

*****These Etexts Prepared By Hundreds of Volunteers and Donations*****

***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***
Why is this "Small Print!" statement here? You know: lawyers.
They tell us you might sue us if there is something wrong with
your copy of this etext, even if you got it for free from
someone other than us, and even if what's wrong is not our
fault. So, among other things, this "Small Print!" statement
disclaims most of our liability to you.

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*


{SAMPLE_NOTE}


{mod.TITLE}

von {mod.AUTHOR}


{_book_body(mod.CHAPTERS)}


End of the Project Gutenberg Etext of {mod.TITLE}, by {mod.AUTHOR}
"""


# ------------------------------------------------------------------ code tree
def minified_bundle() -> str:
    """One long line, as bundlers emit: the code reader skips it as read/generated."""
    parts = [f"function f{i}(a,b){{return a*{i}+b-{i}%7}}" for i in range(120)]
    return "!function(){" + ";".join(parts) + ";window.wl={" + ",".join(f"f{i}:f{i}" for i in range(120)) + "}}();\n"


def package_lock() -> str:
    lock = {
        "name": "weatherlog-web", "version": "0.3.1", "lockfileVersion": 3, "requires": True,
        "packages": {
            "": {"name": "weatherlog-web", "version": "0.3.1", "dependencies": {"tiny-debounce": "^1.0.2"}},
            "node_modules/tiny-debounce": {
                "version": "1.0.2",
                "resolved": "https://registry.invalid/tiny-debounce/-/tiny-debounce-1.0.2.tgz",
                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(b"tiny-debounce-1.0.2").digest()).decode("ascii"),
                "license": "MIT",
            },
        },
    }
    return json.dumps(lock, indent=2) + "\n"


PROTO_GENERATED = '''# -*- coding: utf-8 -*-
# Generated by the protocol buffer compiler.  DO NOT EDIT!
# source: station.proto
"""Generated protocol buffer code."""
from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pool as _descriptor_pool
from google.protobuf import symbol_database as _symbol_database
from google.protobuf.internal import builder as _builder

_sym_db = _symbol_database.Default()

DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'\\n\\rstation.proto\\x12\\nweatherlog\\"L\\n\\x07Reading\\x12\\n\\n\\x02at\\x18\\x01 \\x01(\\x03\\x12\\x13\\n\\x0btemperature\\x18\\x02 \\x01(\\x02\\x12\\x10\\n\\x08humidity\\x18\\x03 \\x01(\\x02\\x62\\x06proto3')

_globals = globals()
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, _globals)
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, 'station_pb2', _globals)
'''


def write_code_tree(root: Path) -> None:
    for rel, text in {**code_tree.FILES, **code_tree.VENDORED}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8", newline="\n")
    (root / "web" / "vendor.min.js").write_text(minified_bundle(), encoding="utf-8", newline="\n")
    (root / "web" / "package-lock.json").write_text(package_lock(), encoding="utf-8", newline="\n")
    (root / "weatherlog" / "station_pb2.py").write_text(PROTO_GENERATED, encoding="utf-8", newline="\n")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "logo.png").write_bytes(_tiny_png(16, 16))
    (root / "scripts" / "backup").chmod(0o755)


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    """Write web/, books/ and code/ under the folder given (default: beside this script)."""
    argv = sys.argv[1:] if argv is None else argv
    base = Path(argv[0]) if argv else HERE
    web, books, code = base / "web", base / "books", base / "code"
    for d in (web, books, code):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir()
    (web / "sample.warc.gz").write_bytes(build_warc())
    (books / "lamplighters-apprentice.txt").write_bytes(book_new_style(book_en, 90001).encode("utf-8"))
    # Latin-1 with CRLF line ends, as the older "-8.txt" Gutenberg files are.
    fr = book_this_style(book_fr, 90002).replace("\n", "\r\n")
    (books / "meunier-durance-8.txt").write_bytes(fr.encode("latin-1"))
    (books / "uhrmacher-kellbach.txt").write_bytes("\ufeff".encode("utf-8") + book_small_print_style(book_de, 90003).encode("utf-8"))
    write_code_tree(code / "weatherlog")
    total = sum(p.stat().st_size for d in (web, books, code) for p in d.rglob("*") if p.is_file())
    print(f"wrote {base}/web, books, code: {total:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
