from assistant.answers.document_facts import DocumentFacts
from assistant.answers.library import Library
from core.types import Chunk, Document, DocumentMeta
from tests.assistant.answers.fixtures import PROFILE, FakeRecords


def _lib() -> Library:
    meta = DocumentMeta(title="某市失业保险办法", doc_number="某人社规〔2024〕3号", issue_date="2024-05-06",
                        issuers=["某市人社局"], status="现行有效")
    doc = Document(id="d", source="d.txt", raw_text="", text="", offsets=[], meta=meta)
    chunks = [Chunk(id="m", doc_id="d", doc_title=meta.title, section_path=["文件信息"], text="文号：某人社规〔2024〕3号",
                    start=0, end=1, kind="meta"),
              Chunk(id="t", doc_id="d", doc_title=meta.title, section_path=["正文"], text="某人社规〔2024〕3号 各区：",
                    start=0, end=1)]
    return Library(FakeRecords(documents={"d": doc}, chunks=chunks), PROFILE)  # type: ignore[arg-type]


def test_number_date_and_issuer_from_the_metadata_each_cited() -> None:
    facts = DocumentFacts(_lib())
    a = facts.run("这个办法的文号是什么？什么时候发的？", "d")
    assert a is not None and "文号是某人社规〔2024〕3号。[1]" in a.text and "2024年5月6日" in a.text
    assert a.citations[0].chunk_id == "t"  # the passage that shows it, before the metadata line
    b = facts.run("哪个单位发的", "d")
    assert b is not None and "由某市人社局印发" in b.text and "联合" not in b.text
    assert facts.run("失业金多少钱", "d") is None
