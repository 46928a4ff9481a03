import pytest

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


def _lib_with(*texts: str) -> Library:
    meta = DocumentMeta(title="某市助餐服务办法", issue_date="2024-03-14", issuers=["某市民政局"], status="现行有效")
    doc = Document(id="d", source="d.txt", raw_text="", text="", offsets=[], meta=meta)
    chunks = [Chunk(id=f"c{i}", doc_id="d", doc_title=meta.title, section_path=["正文"], text=t, start=0, end=1)
              for i, t in enumerate(texts)]
    chunks.append(Chunk(id="m", doc_id="d", doc_title=meta.title, section_path=["文件信息"], text="成文日期：2024-03-14",
                        start=0, end=1, kind="meta"))
    return Library(FakeRecords(documents={"d": doc}, chunks=chunks), PROFILE)  # type: ignore[arg-type]


def test_when_it_takes_effect_is_read_from_its_own_clause_not_the_issue_date() -> None:
    facts = DocumentFacts(_lib_with("附件所列病种审核确认有效期为2年。", "第三十八条 本办法自2024年4月1日起实施，有效期5年。"))
    a = facts.run("这个办法从哪天开始实施？", "d")
    assert a is not None and "本办法自2024年4月1日起实施，有效期5年" in a.text and "印发" not in a.text
    assert [c.chunk_id for c in a.citations] == ["c1"]
    b = facts.run("有效期几年？", "d")  # the document's own clause, not an attachment's column
    assert b is not None and "有效期5年" in b.text and "有效期为2年" not in b.text
    c = facts.run("这个办法什么时候印发的，从哪天起施行？", "d")
    assert c is not None and "2024年3月14日印发" in c.text and "2024年4月1日起实施" in c.text


@pytest.mark.parametrize(("question", "text", "said"), [
    ("这个意见管多长时间？", "上述相关条款除另有规定外，执行期限自发布之日起3个月止。", "执行期限自发布之日起3个月止"),
    ("这政策管到什么时候？", "为支持疫情防控工作，自2020年1月1日至3月31日，实行更优惠的进口税收政策。", "自2020年1月1日至3月31日"),
    ("这个公告从哪天开始算？", "本公告自2020年1月1日起实施，截止日期视疫情情况另行公告。", "本公告自2020年1月1日起实施"),
    ("那个通告要执行到什么时候？", "本通告自即日起施行，有效期至新型冠状病毒感染肺炎疫情解除。", "有效期至新型冠状病毒感染肺炎疫情解除"),
    ("这些临时办法能管到什么时候？", "上述一些临时性调整的措施实施期限视疫情情况另行通知。", "实施期限视疫情情况另行通知"),
])
def test_validity_and_start_in_everyday_words_are_read_from_the_text(question: str, text: str, said: str) -> None:
    a = DocumentFacts(_lib_with("各区要认真落实。", text)).run(question, "d")
    assert a is not None and said in a.text and "印发" not in a.text
    assert [c.chunk_id for c in a.citations] == ["c1"]


def test_without_an_effect_clause_the_issue_date_is_given_as_such() -> None:
    a = DocumentFacts(_lib_with("各区要认真落实。")).run("这个办法什么时候开始施行？", "d")
    assert a is not None and "2024年3月14日印发" in a.text


def test_all_joint_issuers_of_an_n_departments_title_are_named() -> None:
    meta = DocumentMeta(title="某市卫生健康委等4部门关于印发某方案的通知", issue_date="2023-10-19", issuers=["某市卫生健康委员会"])
    doc = Document(id="d", source="d.txt", raw_text="", text="", offsets=[], meta=meta)
    text = "为推进工作，市卫生健康委、市财政局、市人力资源社会保障局、市医保局联合制定《某方案》。"
    chunks = [Chunk(id="t", doc_id="d", doc_title=meta.title, section_path=["正文"], text=text, start=0, end=1)]
    facts = DocumentFacts(Library(FakeRecords(documents={"d": doc}, chunks=chunks), PROFILE))  # type: ignore[arg-type]
    a = facts.run("这个方案是哪几个部门联合发的？", "d")
    assert a is not None and "由市卫生健康委、市财政局、市人力资源社会保障局、市医保局联合印发" in a.text
    assert [c.chunk_id for c in a.citations] == ["t"]
