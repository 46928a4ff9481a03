"""Distractor documents: plans that look like the 景德镇 plan but belong to other cities and periods.

Each distractor is the real plan rewritten for another prefecture-level city and one of the periods
十二五 (2011–2015), 十三五 (2016–2020) or 十四五 (2021–2025):

* city, 文号 prefix and issuers are replaced (景德镇市 → 九江市, 景人社发〔2018〕10号 → 九人社发〔2017〕23号 …);
  for cities outside 江西 the province words follow (江西省 → 湖南省, 赣鄱 → 湖湘, 兴赣 → 兴湘 …);
* period words and years move consistently (十三五 → 十四五, 十二五 → 十三五, 2015 → 2020, 2020 → 2025 …);
* every figure in the tables and the running text is perturbed by a random factor, keeping its format
  (number of decimals, comparators such as ``<3.5``, ``%`` signs; percentages stay ≤ 100); the same figure
  maps to the same new figure within one document, so tables and text stay consistent with each other;
* the wording of running text varies: synonym substitutions, dropped and swapped sentences.

Structure is kept: notice header, sections 一、…十、, 专栏 tables with the same indicator names and item
numbers, project boxes. Output is deterministic for a given seed; document ``i`` depends only on
``(seed, i)``, so a larger ``n`` extends a smaller run.

CLI: ``python -m evals.distractors N OUT_DIR [--seed S] [--source PATH]``
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"

SOURCE_CITY = "景德镇市"
SOURCE_PREFIX = "景"
SOURCE_PROVINCE = "江西省"
SOURCE_PERIOD = "十三五"
SOURCE_BASE_YEAR = 2015  # base year of the source period (its 专栏2 "2015年基数")


@dataclass(frozen=True)
class City:
    name: str  # full name, e.g. 九江市
    prefix: str  # 文号 prefix, e.g. 九 (九人社发〔2017〕23号)
    province: str  # e.g. 江西省


# province -> (short name, literary name used in place of 赣鄱, one-character abbreviation)
PROVINCES: dict[str, tuple[str, str, str]] = {
    "江西省": ("江西", "赣鄱", "赣"),
    "湖南省": ("湖南", "湖湘", "湘"),
    "湖北省": ("湖北", "荆楚", "鄂"),
    "安徽省": ("安徽", "江淮", "皖"),
    "浙江省": ("浙江", "之江", "浙"),
    "福建省": ("福建", "八闽", "闽"),
    "广东省": ("广东", "岭南", "粤"),
    "河南省": ("河南", "中原", "豫"),
    "山东省": ("山东", "齐鲁", "鲁"),
    "江苏省": ("江苏", "江海", "苏"),
    "四川省": ("四川", "巴蜀", "川"),
    "河北省": ("河北", "燕赵", "冀"),
    "广西壮族自治区": ("广西", "八桂", "桂"),
}

CITIES: list[City] = [
    City("南昌市", "洪", "江西省"),
    City("九江市", "九", "江西省"),
    City("上饶市", "饶", "江西省"),
    City("抚州市", "抚", "江西省"),
    City("宜春市", "宜", "江西省"),
    City("吉安市", "吉", "江西省"),
    City("赣州市", "赣市", "江西省"),
    City("萍乡市", "萍", "江西省"),
    City("新余市", "余", "江西省"),
    City("鹰潭市", "鹰", "江西省"),
    City("株洲市", "株", "湖南省"),
    City("湘潭市", "潭", "湖南省"),
    City("衡阳市", "衡", "湖南省"),
    City("岳阳市", "岳", "湖南省"),
    City("常德市", "常", "湖南省"),
    City("宜昌市", "宜市", "湖北省"),
    City("襄阳市", "襄", "湖北省"),
    City("荆州市", "荆", "湖北省"),
    City("黄石市", "黄石", "湖北省"),
    City("安庆市", "庆", "安徽省"),
    City("芜湖市", "芜", "安徽省"),
    City("黄山市", "黄山", "安徽省"),
    City("衢州市", "衢", "浙江省"),
    City("金华市", "金", "浙江省"),
    City("湖州市", "湖", "浙江省"),
    City("南平市", "南", "福建省"),
    City("三明市", "明", "福建省"),
    City("龙岩市", "龙", "福建省"),
    City("韶关市", "韶", "广东省"),
    City("梅州市", "梅", "广东省"),
    City("洛阳市", "洛", "河南省"),
    City("开封市", "汴", "河南省"),
    City("淄博市", "淄", "山东省"),
    City("潍坊市", "潍", "山东省"),
    City("徐州市", "徐", "江苏省"),
    City("扬州市", "扬", "江苏省"),
    City("绵阳市", "绵", "四川省"),
    City("自贡市", "自", "四川省"),
    City("邯郸市", "邯", "河北省"),
    City("桂林市", "桂", "广西壮族自治区"),
    City("柳州市", "柳", "广西壮族自治区"),
]

# period -> (previous period, base year, 第N个五年 numeral, party congress numeral)
PERIODS: dict[str, tuple[str, int, str, str]] = {
    "十二五": ("十一五", 2010, "十二", "十七"),
    "十三五": ("十二五", 2015, "十三", "十八"),
    "十四五": ("十三五", 2020, "十四", "十九"),
}

INDUSTRIES = [
    "装备制造", "电子信息", "新材料", "纺织服装", "生物医药", "绿色食品",
    "文化旅游", "有色金属", "汽车零部件", "现代家居",
]
PROOFREADERS = ["王立新", "李晓明", "陈建国", "刘红梅", "周文斌", "吴海燕", "赵志强", "孙丽华", "胡俊", "郭敏"]

# Synonyms for running text; applied in one pass, so replacements are never re-replaced.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "加强": ("强化", "切实加强"),
    "强化": ("加强",),
    "完善": ("健全", "优化"),
    "健全": ("完善",),
    "推进": ("推动", "加快推进"),
    "推动": ("推进",),
    "进一步": ("持续",),
    "不断": ("持续", "逐步"),
    "提高": ("提升",),
    "提升": ("提高",),
    "积极": ("大力", "主动"),
    "逐步": ("稳步", "逐渐"),
    "显著": ("明显",),
    "明显": ("显著",),
    "加快": ("加速", "加紧"),
    "支持": ("扶持",),
    "扶持": ("支持",),
    "促进": ("推动",),
    "构建": ("建立", "打造"),
    "全面": ("全方位",),
    "深入": ("扎实",),
    "有效": ("切实",),
    "力争": ("努力",),
}
SYNONYM_P = 0.35
DROP_P = 0.10
SWAP_P = 0.15

_DOCNO_RE = re.compile(re.escape(SOURCE_PREFIX) + r"人社发\s*〔\s*\d{4}\s*〕\s*\d+\s*号")
_DATE_RE = re.compile(r"(?<!\d)(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?=\s*(?:印发|$|\n))", re.M)
_NUM = r"\d+(?:\.\d+)?"
_SYN_RE = re.compile("|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)))
_SENT_RE = re.compile(r"(?<=。)")
_ENUM_RE = re.compile("[\u2460-\u2473]")  # ①…⑳
_KEEP_NUMBERS = {"12333", "555", "5511"}  # a hotline and programme names, not figures
_DOCNO_MARK, _DATE_MARK = "\x00DOCNO\x00", "\x00DATE\x00"


def _literal_map(city: City, period: str, rng: random.Random) -> dict[str, str]:
    prev, _base, num, party = PERIODS[period]
    short, literary, abbr = PROVINCES[city.province]
    src_short, src_literary, src_abbr = PROVINCES[SOURCE_PROVINCE]
    m = {
        SOURCE_CITY: city.name,
        SOURCE_CITY[:-1]: city.name[:-1],
        SOURCE_PREFIX + "人社发": city.prefix + "人社发",
        "十三五": period,
        "十二五": prev,
        "第十三个五年": f"第{num}个五年",
        "十八大": f"{party}大",
        "十八届": f"{party}届",
        "陶瓷": rng.choice(INDUSTRIES),
        "张希跃": rng.choice(PROOFREADERS),
    }
    if city.province != SOURCE_PROVINCE:
        m.update({
            SOURCE_PROVINCE: city.province,
            src_short: short,
            src_literary: literary,
            "兴" + src_abbr: "兴" + abbr,
            "技兴" + src_literary: "技兴" + literary,
        })
    if period == "十四五":
        m["全面建成小康社会的冲刺阶段"] = "开启全面建设社会主义现代化国家新征程的第一个五年"
        m["全面建成小康社会"] = "全面建设社会主义现代化国家"
    return m


def _perturb(s: str, rng: random.Random, percent: bool) -> str:
    decimals = len(s.split(".", 1)[1]) if "." in s else 0
    v = float(s)
    for _ in range(50):
        f = rng.uniform(0.55, 1.6)
        if abs(f - 1.0) < 0.06:
            continue
        nv = v * f
        if percent and v <= 100 and nv > 100:
            nv = v * rng.uniform(0.8, 0.97)
        if decimals:
            nv = max(round(nv, decimals), 10 ** -decimals)
        else:
            nv = max(round(nv), 1)
        out = f"{nv:.{decimals}f}"
        if out != s:
            return out
    step = 10 ** -decimals
    return f"{v + step if not (percent and v >= 100) else v - step:.{decimals}f}"


def _vary_line(line: str, rng: random.Random) -> str:
    """Synonyms, dropped and swapped sentences for one line of running text."""
    parts = [p for p in _SENT_RE.split(line) if p]
    if len(parts) >= 3 and not _ENUM_RE.search(line):  # keep ①②③ items in order
        head, body = parts[0], parts[1:]
        tail = [] if body[-1].endswith("。") else [body.pop()]
        body = [p for p in body if rng.random() >= DROP_P] or body[:1]
        for k in range(len(body) - 1):
            if rng.random() < SWAP_P:
                body[k], body[k + 1] = body[k + 1], body[k]
        parts = [head, *body, *tail]
    line = "".join(parts)
    return _SYN_RE.sub(lambda m: rng.choice(SYNONYMS[m.group()]) if rng.random() < SYNONYM_P else m.group(), line)


def _is_running_text(line: str) -> bool:
    s = line.strip()
    return len(s) >= 50 and "\t" not in s and not s.startswith(("专栏", "|-"))


class _Rewriter:
    """Rewrites the source text for one (city, period, rng)."""

    def __init__(self, city: City, period: str, rng: random.Random) -> None:
        self.rng = rng
        self.delta = PERIODS[period][1] - SOURCE_BASE_YEAR
        self.literals = _literal_map(city, period, rng)
        keys = sorted(self.literals, key=len, reverse=True)
        self.pattern = re.compile("(?P<lit>" + "|".join(map(re.escape, keys)) + ")|(?P<num>" + _NUM + ")")
        self.memo: dict[tuple[str, bool], str] = {}

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._sub, text)

    def _sub(self, m: re.Match[str]) -> str:
        if m.group("lit") is not None:
            return self.literals[m.group("lit")]
        s, text, start = m.group(), m.string, m.start()
        if len(s) == 4 and s.isdigit() and 1990 <= int(s) <= 2035:
            return str(int(s) + self.delta)  # a year
        if s in _KEEP_NUMBERS or text[max(0, start - 4):start].rstrip().endswith("专栏"):
            return s
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip(" -|\t"):
            return s  # item number at the start of a line: "1. ", "01 ", "| 01 |", "3、"
        line_end = text.find("\n", m.end())
        line = text[line_start: line_end if line_end >= 0 else len(text)]
        percent = text[m.end(): m.end() + 3].lstrip().startswith("%") or "%)" in line or "%）" in line
        key = (s, percent)
        if key not in self.memo:
            self.memo[key] = _perturb(s, self.rng, percent)
        return self.memo[key]


def rewrite(source_text: str, city: City, period: str, rng: random.Random) -> str:
    """One distractor text for ``city`` and ``period``."""
    if city.name == SOURCE_CITY:
        raise ValueError("a distractor must be about another city")
    _, base, _, _ = PERIODS[period]
    issue = random.Random(rng.random())
    year = base + 1 + issue.randint(0, 2)
    docno = f"{city.prefix}人社发〔{year}〕{issue.randint(1, 60)}号"
    date = f"{year}年{issue.randint(1, 12)}月{issue.randint(1, 28)}日"

    text = _DOCNO_RE.sub(_DOCNO_MARK, source_text)
    text = _DATE_RE.sub(_DATE_MARK, text)
    text = "\n".join(_vary_line(ln, rng) if _is_running_text(ln) else ln for ln in text.split("\n"))
    text = _Rewriter(city, period, rng)(text)
    text = text.replace(_DOCNO_MARK, docno).replace(_DATE_MARK, date)
    if SOURCE_CITY[:-1] in text:  # pragma: no cover - guarded by the literal map
        raise AssertionError("distractor still names the source city")
    return text


def _doc_rng(seed: int, i: int) -> random.Random:
    return random.Random(f"distractor:{seed}:{i}")  # str seeds are hashed with sha512: stable across runs


def generate(n: int, out_dir: Path, seed: int = 0, source: Path | None = None) -> list[Path]:
    """Write ``n`` distractor .txt files (UTF-8) into ``out_dir``; return their paths in order."""
    if n < 0:
        raise ValueError("n must be >= 0")
    source = Path(source) if source is not None else DEFAULT_SOURCE
    source_text = source.read_text(encoding="utf-8")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i in range(n):
        rng = _doc_rng(seed, i)
        city = rng.choice(CITIES)
        period = rng.choice(list(PERIODS))
        path = out_dir / f"distractor_{i + 1:04d}_{city.name}_{period}.txt"
        path.write_text(rewrite(source_text, city, period, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.distractors", description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of documents")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", type=Path, default=None, help=f"plan to rewrite (default: {DEFAULT_SOURCE.name})")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.n, args.out_dir, seed=args.seed, source=args.source)
    print(f"wrote {len(paths)} distractors to {args.out_dir} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
