"""The asker's own standing ("我开旅行社的", "我是中学老师"): whether the answering document names it.

"我开旅行社的，亏损能多往后抵几年？" is answered by "最长结转年限由5年延长至8年" for 困难行业企业; the asker also
needs to see that 旅行社 is one of them, which another sentence of the same document says.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answers.passages import focus, has_figure
from assistant.answers.shape import is_byline, is_heading
from core.types import Chunk

# "我开旅行社的", "我是中学老师，", "我们是做物流的": who the asker is, in at most eight characters.
_SELF = re.compile(r"(?:我|我们|我家|本人)(?:是|开|开了|做|搞|办了?)(?:一?[个家间所])?([\u4e00-\u9fff]{2,8}?)(?:的|，|,|。|$)")


def standing_words(question: str, terms: dict[str, float]) -> list[str]:
    """The question's terms inside the asker's account of themselves, heaviest first."""
    m = _SELF.search(question)
    if not m:
        return []
    span = m.group(1)
    return sorted((t for t in terms if len(t) >= 2 and t in span), key=lambda t: -terms[t])


def standing_clause(words: list[str], said: str, sentences: Iterable[tuple[Chunk, str]],
                    limit: int) -> tuple[Chunk, str] | None:
    """The shortest sentence naming the heaviest standing word the answer does not say, cut to ``limit``
    around it, with its passage; None when the answer already names the asker's standing or no sentence does.
    A word of the document's title ("我是福建的护士" of a 福建 notice) is said by the answer's lead already."""
    if not words or any(w in said for w in words):
        return None
    # Not a headline, a byline, or a sentence with figures of its own: beside the answer's figure they mislead.
    pool = [(c, t) for c, t in sentences if len(t) >= 15 and not has_figure(t) and not is_byline(t) and not is_heading(t)]
    for w in words:
        found = sorted((pair for pair in pool if w in pair[1] and w not in pair[0].doc_title), key=lambda pair: len(pair[1]))
        if found:
            chunk, sentence = found[0]
            return chunk, focus(sentence, {w: 1.0}, limit)
    return None
