"""Document facts read from the text: title, 文号, issuers, dates, basis documents."""
from __future__ import annotations

import re

from core.quantities import PERIODS, period_range
from core.types import DocumentMeta
from core.text import CJK

_DOC_NO = re.compile(rf"[{CJK}]{{1,10}}[〔\[［【(（]\s*\d{{4}}\s*[〕\]］】)）]\s*\d{{1,4}}\s*号")
_DOC_NO_LINE = 40
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISSUER = re.compile(rf"^[{CJK}（）()]{{4,40}}(?:局|委员会|政府|厅|部|委|办公室|办公厅|院|中心|管理局|总局)$")
_NOTICE = re.compile(r"关于印发《(.+?)》的通知")
TITLE_MAX = 60
TITLE_LIMIT = 80  # a "关于…的通知" name may run this long; nothing longer is a title
_NAME_END = re.compile(r"的(?:通知|办法|意见|措施|方案|细则|指引|公告|通告|规定|决定|函|批复|条例|提示|公开信|倡议书|解读)")
_QUOTED_TITLE = re.compile(r"《([^《》]{4,80})》")
_TITLE_WORD = re.compile(r"(规划|办法|意见|决定|方案|规定|细则|通知|纲要|条例|公告|通告|实施意见)[”》]?$")
_PERIODS = {w: period_range(w) for w in PERIODS}
# Only unambiguous suffixes: "区" alone also ends words such as 专区 / 园区 in page titles.
_REGION = re.compile(rf"^([{CJK}]{{2,7}}?(?:自治州|自治区|省|市|县|盟))")


def _iso(m: re.Match[str]) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def period_of(text: str) -> str:
    for word, years in _PERIODS.items():
        if word in text:
            return years
    m = re.search(r"(20\d{2})\s*[-—–~至到]\s*(20\d{2})", text)
    return f"{m.group(1)}-{m.group(2)}" if m else ""


def region_of(title: str) -> str:
    m = _REGION.match(title)
    return m.group(1) if m else ""


# A news dateline ("新华社兰州2月17日电（记者王朋）", "本报讯") starts the story, not the headline.
_DATELINE = re.compile(r"(?:新华社|中新社|中新网|人民网|央视网|新华网|光明网|央广网|经济日报|人民日报)[^，。；]{0,10}?"
                       r"\d{1,2}月\d{1,2}日(?:电|讯)|本报讯|[（(]记者")


def short_title(text: str) -> str:
    """A document's name from a line that may run on into its body: at most ``TITLE_MAX`` characters.

    "X关于Y的通知<body…>" → "X关于Y的通知"; otherwise the text up to its first clause mark.
    """
    s = text.strip().strip("《》")
    if (m := _DATELINE.search(s, 0, TITLE_MAX + 30)) and 6 <= m.start() <= TITLE_MAX:
        return s[: m.start()].rstrip("：:，, ")  # a news headline runs on into its dateline
    if len(s) <= TITLE_MAX:
        return s
    about = s.find("关于", 0, TITLE_MAX)
    if about >= 0 and (m := _NAME_END.search(s, about, TITLE_LIMIT)):
        return s[: m.end()]
    m = re.search(r"[。！？；，,;!?]", s)  # not "：": headlines read "广东：…"
    return s[: m.start()] if m and 6 <= m.start() <= TITLE_MAX else s[:TITLE_MAX]


def _title(lines: list[str]) -> str:
    for line in lines[:40]:
        m = _NOTICE.search(line)
        if m and len(m.group(1)) <= TITLE_MAX:
            return m.group(1)
    for line in lines[:15]:
        s = line.strip()
        if 6 <= len(s) <= 80 and _TITLE_WORD.search(s) and "\t" not in s:
            return short_title(s)
    return short_title(next((s.strip() for s in lines if s.strip()), ""))


def extract_meta(text: str, fallback_title: str = "") -> DocumentMeta:
    """Facts a government document states about itself, found in its header and colophon."""
    lines = [line.strip() for line in text.split("\n")]
    head = lines[:60]
    title = _title(lines) or fallback_title
    # Only a 文号 on a line of its own (or heading one) is the document's; others cite other documents.
    doc_no = next((m for line in head if len(line) <= _DOC_NO_LINE and (m := _DOC_NO.search(line))), None)
    doc_no_line = next((i for i, line in enumerate(head) if doc_no and doc_no.group(0) in line), None)

    issuers: list[str] = []
    header_block = head[: doc_no_line if doc_no_line is not None else 8]
    for line in header_block:
        if line in ("文件", "") or not _ISSUER.match(line.removesuffix("文件")):
            continue
        issuers.append(line.removesuffix("文件"))

    issue_date = ""
    for i, line in enumerate(head):
        m = _DATE.fullmatch(line)
        if m:
            issue_date = _iso(m)
            # The signature block right above the date names the issuers when the header doesn't.
            if not issuers:
                issuers = [s for s in head[max(0, i - 6):i] if _ISSUER.match(s)]
            break

    addressees = next((s.rstrip("：:") for s in head if s.endswith(("：", ":")) and s.startswith("各")), "")
    basis: list[str] = []
    for sentence in re.split(r"[。\n]", text[:3000]):
        if "根据" in sentence and ("编制" in sentence or "制定" in sentence):
            basis = [t for t in _QUOTED_TITLE.findall(sentence) if t != title]
            break

    print_date, printer = "", ""
    for line in reversed(lines[-12:]):
        m = re.search(r"^(.{2,40}?)\s*" + _DATE.pattern + r"\s*印发", line)
        if m:
            printer, print_date = m.group(1).strip(), _iso(re.search(_DATE, line))  # type: ignore[arg-type]
            break
    if not issue_date and print_date:
        issue_date = print_date

    return DocumentMeta(
        title=title,
        issuers=issuers,
        doc_number=re.sub(r"\s+", "", doc_no.group(0)) if doc_no else "",
        issue_date=issue_date,
        period=period_of(title),
        region=region_of(title),
        status="",
        basis=basis,
        print_date=print_date,
        printer=printer,
        addressees=addressees,
    )
