"""The deployment profile: region and its parents, hotline, suggestions, prompt wording.

Everything that names one place or one bureau lives in ``profiles/<name>/profile.toml``;
code asks this module instead of spelling a place or a number. ``profiles/gazetteer.txt``
holds the place names shared by every profile, each with its parent region.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
NATION = "全国"
_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|特别行政区|省|市|县|区|州|盟)$")


class ProfileError(ValueError):
    """The selected profile is missing or malformed."""


def base_name(place: str) -> str:
    """``广州市`` → ``广州``: the form people also write without the administrative suffix."""
    stem = _SUFFIX.sub("", place)
    return stem if len(stem) >= 2 else place


@dataclass(frozen=True)
class Gazetteer:
    """Place name → parent region, e.g. 广州市 → 广东省 → 全国."""

    parent: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = PROFILES_DIR / "gazetteer.txt", extra: dict[str, str] | None = None) -> "Gazetteer":
        parent: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, up = line.partition("\t")
                parent[name.strip()] = up.strip() or NATION
        parent.update(extra or {})
        return cls(parent)

    def canonical(self, place: str) -> str:
        """The gazetteer's spelling of a place written with or without its suffix."""
        if place in self.parent or place == NATION:
            return place
        return self._by_base().get(base_name(place), place)

    def ancestors(self, place: str) -> list[str]:
        """Parents of a place, nearest first, ending with 全国 (empty for an unknown place)."""
        out: list[str] = []
        cur = self.canonical(place)
        while cur in self.parent and len(out) < 8:
            cur = self.parent[cur]
            out.append(cur)
        return out

    def find(self, text: str) -> list[str]:
        """Places named in a text, canonical and in order of first mention (longest name wins)."""
        found: list[tuple[int, str]] = []
        for m in self._pattern().finditer(text):
            found.append((m.start(), self.canonical(m.group(0))))
        seen: list[str] = []
        for _, name in sorted(found):
            if name not in seen:
                seen.append(name)
        return seen

    @lru_cache(maxsize=1)
    def _by_base(self) -> dict[str, str]:
        return {base_name(n): n for n in sorted(self.parent, key=len)}

    @lru_cache(maxsize=1)
    def _pattern(self) -> re.Pattern[str]:
        names = set(self.parent) | {base_name(n) for n in self.parent} | {NATION}
        return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))

    def __hash__(self) -> int:  # lru_cache on methods needs a hashable instance
        return id(self)


@dataclass(frozen=True)
class Profile:
    name: str
    region: str
    parents: tuple[str, ...]
    children: tuple[str, ...]
    hotline: str
    hotline_label: str
    bureau: str
    bureau_short: str
    assistant_name: str
    domain: str
    topics: str
    suggestions: tuple[str, ...]
    thesaurus: tuple[str, ...]
    gazetteer: Gazetteer
    own_plans: tuple[str, ...] = ()  # titles of the deployment's own plans: answers from them need no title
    # Topics another service answers: (where to ask, the words that name the topic).
    elsewhere: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def local_regions(self) -> frozenset[str]:
        """The region, its parents and its children: documents of these are all local."""
        return frozenset({self.region, *self.parents, *self.children})

    def prompt_vars(self) -> dict[str, str]:
        return {"region": self.region, "hotline": self.hotline, "hotline_label": self.hotline_label,
                "bureau": self.bureau, "domain": self.domain, "topics": self.topics}


def _elsewhere(table: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[elsewhere]`` as (where to ask, words): each key a service, each value the words naming its topics."""
    if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(w, str) and w for w in v) for v in table.values()):
        raise TypeError("[elsewhere] must map a service to a list of words, e.g. 住房公积金管理中心 = [\"公积金\"]")
    return tuple((str(k), tuple(v)) for k, v in table.items())


def load_profile(name: str, region: str | None = None, root: Path = PROFILES_DIR) -> Profile:
    """Read ``profiles/<name>/profile.toml``; ``region`` overrides its region (POLICY_DEFAULT_REGION)."""
    path = root / name / "profile.toml"
    if not path.is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "profile.toml").is_file()) if root.is_dir() else []
        raise ProfileError(f"POLICY_PROFILE={name!r}: no {path}; choose one of {known} or add that file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        dep, reg = data["deployment"], data["region"]
        own = reg["name"]
        parents = tuple(reg.get("parents") or ())
        children = tuple(reg.get("children") or ())
        extra = {own: parents[0] if parents else NATION}
        extra.update({c: own for c in children})
        for a, b in zip(parents, parents[1:]):
            extra.setdefault(a, b)
        gaz = Gazetteer.load(root / "gazetteer.txt", extra)
        if region and region != own:
            own, parents, children = region, tuple(gaz.ancestors(region)), ()
        return Profile(
            name=name, region=own, parents=parents, children=children,
            hotline=str(dep["hotline"]), hotline_label=dep.get("hotline_label", str(dep["hotline"])),
            bureau=dep.get("name", ""), bureau_short=dep.get("short_name", dep.get("name", "")),
            assistant_name=dep.get("assistant_name", "政策问答助手"), domain=dep.get("domain", ""),
            topics=dep.get("topics", ""), suggestions=tuple(data.get("suggestions", {}).get("questions", ())),
            thesaurus=tuple(data.get("thesaurus", {}).get("entries", ())), gazetteer=gaz,
            own_plans=tuple(dep.get("own_plans", ())), elsewhere=_elsewhere(data.get("elsewhere", {})),
        )
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as e:
        raise ProfileError(f"{path}: malformed profile ({e}); see profiles/jingdezhen/profile.toml") from None
