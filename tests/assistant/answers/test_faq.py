from assistant.answers.config import AnswerConfig
from assistant.answers.extractive import Extractive
from assistant.answers.faq import FaqAnswers, question_match
from assistant.answers.library import Library
from core.types import QA, Chunk, Document, DocumentMeta, Hit
from retriever.query import Thesaurus
from retriever.terms import TermWeights
from tests.assistant.answers.fixtures import PROFILE, FakeRecords, query


class _Terms:
    """The retriever part the answers use: question-word weights."""

    terms = TermWeights(lambda t: [t[i:i + 2] for i in range(len(t) - 1)], {}, Thesaurus.parse([]))


def _lib() -> Library:
    qa = QA(id="q1", doc_id="d", question="失业保险金能领多久？", answer="缴费满1年不足5年的，领取期限最长为12个月。缴费10年以上的，最长24个月。")
    meta = DocumentMeta(title="失业保险常见问题解答", issue_date="2025-11-01")
    doc = Document(id="d", source="d.html", raw_text="", text="", offsets=[], meta=meta)
    chunk = Chunk(id="c1", doc_id="d", doc_title=meta.title, section_path=[qa.question],
                  text=f"问：{qa.question}\n答：{qa.answer}", start=0, end=1, kind="qa", ref="q1")
    records = FakeRecords(documents={"d": doc}, chunks=[chunk])
    records.qas = {"q1": qa}  # type: ignore[attr-defined]
    return Library(records, PROFILE)  # type: ignore[arg-type]


def test_question_match() -> None:
    assert question_match("失业金可以领几个月", "失业保险金能领多久？") > question_match("怎么办理退休", "失业保险金能领多久？")


def test_a_matching_stored_question_answers_with_its_answer_and_document() -> None:
    lib = _lib()
    faq = FaqAnswers(lib, Extractive(lib, _Terms(), AnswerConfig()), AnswerConfig())  # type: ignore[arg-type]
    hits = [Hit(chunk=lib.records.chunks[0], score=1.0)]
    a = faq.run(query("失业保险金能领多长时间？"), hits)
    assert a is not None and a.kind == "faq" and a.text.startswith("根据《失业保险常见问题解答》（2025年11月1日）：")
    assert "12个月" in a.text and a.citations[0].chunk_id == "c1"
    assert faq.run(query("退休手续怎么办"), hits) is None


def test_a_long_stored_answer_is_trimmed_to_the_part_asked() -> None:
    lib = _lib()
    qa = lib.records.qas["q1"]  # type: ignore[attr-defined]
    qa.answer = "领取失业保险金需要满足以下条件，" + "并按规定办理失业登记，" * 12 + "缴费10年以上的，最长24个月。"
    faq = FaqAnswers(lib, Extractive(lib, _Terms(), AnswerConfig()), AnswerConfig(faq_whole=40))  # type: ignore[arg-type]
    a = faq.run(query("失业保险金能领多长时间？"), [Hit(chunk=lib.records.chunks[0], score=1.0)])
    assert a is not None and "24个月" in a.text and len(a.text) < len(qa.answer)
