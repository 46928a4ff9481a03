"""Saved web pages: the article's main text, the page's own metadata, and its tables.

Government pages wrap a short article in menus, breadcrumbs, share bars, related links and footers.
trafilatura finds the main text; the page's metadata (``<meta name="ArticleTitle">``, 发布时间,
信息来源, 文号, 索引号 …) usually sits outside it, so it is read here from the whole page; tables are laid
out here (rowspan and colspan copied into every cell they cover) because the records need whole rows.
"""
from __future__ import annotations

import copy
import logging
import re
from pathlib import Path

from core.types import DocumentMeta
from ingest.decode import decode
from ingest.errors import IngestError

_HTML_DROP = ["script", "style", "nav", "header", "footer", "noscript", "template", "iframe", "svg", "title"]
_HTML_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr td th table tbody thead tfoot caption section "
    "article main aside blockquote pre address figure figcaption center form fieldset hr".split()
)
# Chinese characters/punctuation: a source line break between two of them is not a space.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \t\r\f]*\n\\s*(?=[{_CJK}])")
SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")


def html_decode(data: bytes) -> str | None:
    from bs4.dammit import EncodingDetector

    declared = (EncodingDetector.find_declared_encoding(data, is_html=True) or "").lower()
    # Browsers read gb2312/gbk labels as GB18030; Python's gb2312 codec rejects common chars like 镕.
    label = declared.replace("-", "").replace("_", "")
    if label in {"gb2312", "gbk", "xgbk", "cp936"}:
        declared = "gb18030"
    elif label.startswith("utf16"):  # a charset found by scanning bytes as ASCII cannot really be UTF-16
        declared = ""
    return decode(data, declared)


def _span(cell, attr: str, limit: int) -> int:
    digits = re.match(r"\s*(\d+)", str(cell.get(attr) or ""))
    return max(1, min(int(digits.group(1)) if digits else 1, limit))


def _tag(el) -> str:
    return el.tag if isinstance(el.tag, str) else ""  # comments and processing instructions have no name


def _html_grid(table) -> list[list[str | None]] | None:
    """Cell texts with colspan/rowspan laid out on a grid; None for a layout table."""
    cells = list(table.iter("td", "th"))
    # Old government sites wrap whole articles in tables; those are read as ordinary blocks.
    if table.find(".//table") is not None or any(
            sum(1 for _ in c.iter("p", "div", "li", "h1", "h2", "h3", "h4")) > 5 for c in cells):
        return None
    grid: list[list[str | None]] = []
    below: dict[int, tuple[int, str | None]] = {}  # column -> (rows left, text) of a rowspan from above

    def fill_from_above(row: list[str | None], upto: int) -> None:
        while len(row) < upto or len(row) in below:
            left, text = below.pop(len(row), (1, ""))
            if left > 1:
                below[len(row)] = (left - 1, text)
            row.append(text)

    for tr in table.iter("tr"):
        row: list[str | None] = []
        for cell in (c for c in tr if _tag(c) in ("td", "th")):
            fill_from_above(row, 0)
            text, down = " ".join(_html_blocks(cell)), _span(cell, "rowspan", 1000)
            for k in range(_span(cell, "colspan", 100)):
                if down > 1:
                    below[len(row)] = (down - 1, text if k == 0 else None)
                row.append(text if k == 0 else None)
        fill_from_above(row, max(below, default=-1) + 1)
        grid.append(row)
    return grid if max(map(len, grid), default=0) > 1 else None


def table_text(grid: list[list[str | None]]) -> str:
    """TAB rows padded to the table width; None (a column covered by a merged cell) is an empty cell.
    Leading rows that are one cell across the table are captions, so they become paragraphs."""
    grid = [row for row in grid if any(row)]
    width = max(map(len, grid), default=0)
    captions = []
    while grid and width > 1 and all(c is None for c in grid[0][1:]):
        captions.append(grid.pop(0)[0] or "")
    rows = "\n".join("\t".join(c or "" for c in row + [""] * (width - len(row))) for row in grid)
    return "\n\n".join(filter(None, [*captions, rows]))


def _html_nodes(root) -> list[tuple[str, object]]:
    """Text of each block element under root (an lxml element), in document order, with its element."""
    blocks: list[tuple[str, object]] = []
    buffer: list[str] = []

    def flush(node) -> None:
        line = SPACES.sub(" ", _CJK_BREAK.sub("", "".join(buffer))).strip()
        buffer.clear()
        if line:
            blocks.append((line, node))

    def visit(node) -> None:
        buffer.append(node.text or "")
        for child in node:
            name = _tag(child)
            if name == "br":
                flush(node)
            elif name == "table" and (grid := _html_grid(child)) is not None:
                flush(node)
                blocks.append((table_text(grid), child))
            elif name:
                block = name in _HTML_BLOCKS
                if block:
                    flush(node)
                visit(child)
                if block:
                    flush(child)
            buffer.append(child.tail or "")  # the text after a child (also after a comment) is the parent's

    visit(root)
    flush(root)
    return blocks


def _html_blocks(root) -> list[str]:
    """Text of each block element under root, in document order."""
    return [text for text, _ in _html_nodes(root)]


# ------------------------------------------------------------------------------------------ metadata

_LABELS = {
    "publish_date": "发布时间|发表时间|发布日期|发文日期",
    "issue_date": "成文日期|印发日期",
    "publisher": "信息来源|文章来源|来源|发文单位",
    "issuers": "发布机构|发布机关|发文机关",
    "doc_number": "文号|发布文号|发文字号",
    "index_no": "索引号",
}
_ANY_LABEL = "|".join(_LABELS.values()) + "|浏览量|浏览次数|浏览字号|字体大小|字号|分类|统一编号|实施日期|失效日期"
_VALUE = re.compile(rf"(?<![^\s【】])({_ANY_LABEL})[】\s]*[：:]?[\s\u3000]*([^\n]*?)(?=[\s【]*(?:{_ANY_LABEL})[】\s]*[：:]|\n|$)", re.M)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_ORG = re.compile(r"(?:局|委|厅|办|办公室|办公厅|中心|政府|院|部|委员会|处|署|会|所|站|街道办事处)$")
_SITE_TAIL = re.compile(r"(?:官网|网站|门户网站)$")
_REPOST = re.compile(r"^(?:[（(]转载[）)]|【[^】]{1,8}】)\s*")
_ISSUER_SPLIT = re.compile(r"[\s,，、;；]+")
# Two issuers written together ("…保障局…财政局"): each ends in an office word and the rest still does.
_ORG_TOKEN = re.compile(r".+?(?:委员会|办公厅|办公室|局|厅|中心)(?=.+(?:委员会|办公厅|办公室|局|厅|中心)$|$)")


def _iso(text: str) -> str:
    m = _DATE.search(text)
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""


def _orgs(text: str) -> list[str]:
    """Organisations in a 发布机构 / 来源 value, e.g. "市人社局 社保中心" → both; "广州日报" → none."""
    out = []
    for part in _ISSUER_SPLIT.split(text.strip()):
        part = _SITE_TAIL.sub("", part.strip())
        if 2 <= len(part) <= 40 and _ORG.search(part):
            out.append(part)
    return out


def title_issuers(title: str) -> list[str]:
    """Issuers named before 关于 in a title: "广州市民政局 广州市财政局关于…的通知" → both."""
    head, sep, _ = title.partition("关于")
    head = head.strip()
    if not sep or not head or "等" in head:
        return []
    return _orgs(" ".join(_ORG_TOKEN.findall(head)) if not re.search(r"\s", head) else head)


def _labelled(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    names = {label: key for key, labels in _LABELS.items() for label in labels.split("|")}
    for m in _VALUE.finditer(text):
        key, value = names.get(m.group(1)), m.group(2).strip(" \u3000\t：:")
        if key and value and key not in found:
            found[key] = value
    return found


def _meta_tags(root) -> dict[str, str]:
    return {m.get("name"): (m.get("content") or "").strip() for m in root.iter("meta") if m.get("name")}


def _page_title(root, tags: dict[str, str]) -> str:
    title = tags.get("ArticleTitle", "")
    if not title and (h1 := root.find(".//h1")) is not None:
        title = SPACES.sub(" ", h1.text_content()).strip()
    if not title and (head := root.find(".//title")) is not None and head.text_content().strip():
        site = tags.get("SiteName", "")
        parts = [p.strip() for p in re.split(r"\s+[-_|]\s+|[-_|](?=[^-_|]*(?:网站|网)$)", head.text_content())]
        parts = [p for p in parts if p and p != site and not p.endswith(("网站", "门户网站"))]
        title = max(parts, key=len) if parts else ""
    return SPACES.sub(" ", _REPOST.sub("", title)).strip()


def page_meta(root, page_text: str) -> DocumentMeta:
    """What the page says about the document, from its meta tags and its 发布时间 / 来源 … lines."""
    tags = _meta_tags(root)
    found = _labelled(page_text)
    title = _page_title(root, tags)
    publisher = found.get("publisher") or tags.get("ContentSource", "")
    publisher = "" if publisher in ("本网", "本站") else SPACES.sub(" ", publisher)
    issuers = title_issuers(title) or _orgs(found.get("issuers", "")) or _orgs(publisher)
    doc_number = re.sub(r"\s+", "", found.get("doc_number", ""))
    return DocumentMeta(
        title=title, issuers=issuers, site=tags.get("SiteName", ""), doc_number=doc_number if re.search(r"\d+号$", doc_number) else "",
        issue_date=_iso(found.get("issue_date", "")), publisher=publisher,
        publish_date=_iso(found.get("publish_date", "")) or _iso(tags.get("PubDate", "")),
        index_no=found.get("index_no", "").split()[0] if found.get("index_no") else "",
    )


# ------------------------------------------------------------------------------------------ main text

_FURNITURE_LINE = re.compile(
    r"返回顶部|网站地图|版权所有|ICP备|扫一扫|浏览字号|字体大小|浏览次数|浏览量|打印本页|关闭窗口|分享到|当前位置|"
    r"联系我们|主办单位|承办单位|技术支持|【打印】|【关闭】|上一篇|下一篇")
_MENU_ITEM = re.compile(r"^[·•>\-\s]*[\u4e00-\u9fff（）()·]{1,16}$")
_MENU_RUN = 5  # this many short link-like lines in a row are a menu, not content
_MIN_MAIN = 40  # characters of main text below which a page has no article
_MIN_HIT = 6  # a block shorter than this matches the main text by chance ("首页")
_FEW_LINKS = 5  # a page with fewer links has no navigation to strip
_COVER = 0.6  # the article element holds at least this share of the main text
_NORM = re.compile(r"\s+")


def _main_text(html) -> str:
    """trafilatura's main text of the page, whitespace removed, to recognise the article's blocks by."""
    import trafilatura

    # Its warnings ("discarding data") are expected for fragments; the caller reports what matters.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    text = trafilatura.extract(html, output_format="txt", include_tables=True, include_comments=False,
                               include_images=False, deduplicate=False, favor_precision=True,
                               fast=True)  # its fallback extractors changed nothing on real pages, at 2× the time
    return _NORM.sub("", text or "").replace("|", "")


def _is_furniture(text: str) -> bool:
    return len(text) <= 120 and bool(_FURNITURE_LINE.search(text))


def _drop_menus(lines: list[str]) -> list[str]:
    """Remove runs of short menu items (department lists, link bars) and page-info lines."""
    keep = [not _is_furniture(t) for t in lines]
    run: list[int] = []
    for i, text in enumerate([*lines, "。"]):
        if _MENU_ITEM.match(text) and not re.match(r"^[一二三四五六七八九十]+、", text):
            run.append(i)
            continue
        if len(run) >= _MENU_RUN:
            for j in run:
                keep[j] = False
        run = []
    return [t for t, k in zip(lines, keep) if k]


def _claim(main: str, norm: str, claimed: list[tuple[int, int]]) -> bool:
    at = main.find(norm)
    while at >= 0:
        end = at + len(norm)
        if not any(a < end and at < b for a, b in claimed):
            claimed.append((at, end))
            return True
        at = main.find(norm, at + 1)
    return False


def _article(blocks: list[tuple[str, object]], main: str):
    """The deepest element holding most of the main text: the article, with its headings, lists and tables
    (trafilatura drops some of those), but without the menus and footers around it."""
    weight: dict[int, int] = {}
    nodes: dict[int, object] = {}
    total = 0
    claimed: list[tuple[int, int]] = []  # spans of the main text already matched: a hidden copy matches none
    for text, node in blocks:
        norm = _NORM.sub("", text).replace("\t", "")
        if len(norm) < _MIN_HIT or not _claim(main, norm, claimed):
            continue
        total += len(norm)
        for anc in [node, *node.iterancestors()]:  # type: ignore[attr-defined]
            weight[id(anc)] = weight.get(id(anc), 0) + len(norm)
            nodes[id(anc)] = anc
    if not total:
        return None
    depth = {k: sum(1 for _ in n.iterancestors()) for k, n in nodes.items()}  # type: ignore[attr-defined]
    best = max((k for k in weight if weight[k] >= _COVER * total), key=lambda k: depth[k])
    return nodes[best]


def _bare(root) -> bool:
    """A page without site chrome: hardly any links and no login form."""
    return sum(1 for _ in root.iter("a")) < _FEW_LINKS and not root.xpath('.//input[@type="password"]')


def _inside(node, container) -> bool:
    return node is container or any(p is container for p in node.iterancestors())


def _parse(html: str):
    import lxml.html

    # lxml refuses str input that still carries an XML encoding declaration; the text is decoded already.
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    root = lxml.html.document_fromstring(html or "<html></html>")
    for el in list(root.iter("script", "style", "noscript", "template", "svg")):
        el.drop_tree()  # keeps the text after the element
    return root


def html_text(path: Path, data: bytes) -> tuple[str, DocumentMeta]:
    """The article of a saved page as plain text (see ingest.load for the format) and the page's metadata."""
    decoded = html_decode(data)
    html = decoded if decoded is not None else data.decode("utf-8", "replace")
    root = _parse(html)
    body = root.find("body") if root.find("body") is not None else root
    meta = page_meta(root, "\n".join(body.itertext()))
    for el in list(body.iter(*_HTML_DROP)):
        el.drop_tree()
    blocks = _html_nodes(body)
    bare = _bare(root)  # a fragment or an exported document: all of it is content
    # trafilatura reads a copy of the tree already parsed (scripts, menus and footers dropped): no second parse
    container = body if bare else _article(blocks, _main_text(copy.deepcopy(root)))
    lines = _drop_menus([t for t, n in blocks if _inside(n, container)]) if container is not None else []
    if not bare and sum(len(line) for line in lines) < _MIN_MAIN:  # (a bare page may be empty: load says so)
        raise IngestError(path, "has no main text (a navigation page, search page or login wall?); "
                                "save the article page itself, or paste its text into a .txt file")
    return "\n\n".join(lines), meta
