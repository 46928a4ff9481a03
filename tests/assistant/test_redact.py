import pytest

from assistant.redact import contains_pii, luhn_ok, redact

POSITIVES = [
    # 身份证号
    ("36020219900101123X", "[身份证号]"),
    ("身份证360202199001011234。", "身份证[身份证号]。"),
    ("36020219900101123x", "[身份证号]"),
    ("360202 19900101 123X", "[身份证号]"),
    ("ID:36020219900101123Xabc", "ID:[身份证号]abc"),  # letters around it do not hide it
    ("360202199001011239", "[身份证号]"),  # wrong checksum: a typo'd ID is still personal data
    ("老身份证360202900101123", "老身份证[身份证号]"),
    ("３６０２０２１９９００１０１１２３Ｘ", "[身份证号]"),  # full-width
    # 手机号
    ("13812345678", "[手机号]"),
    ("电话：138-1234-5678", "电话：[手机号]"),
    ("138 1234 5678", "[手机号]"),
    ("+86 138 1234 5678", "[手机号]"),
    ("+86-13812345678", "[手机号]"),
    ("8613812345678", "[手机号]"),
    ("(+86)13812345678", "[手机号]"),
    ("手机１３９１２３４５６７８，谢谢", "手机[手机号]，谢谢"),
    ("Tel.19912345678.", "Tel.[手机号]."),
    # 银行卡号
    ("卡号6222021234567890123", "卡号[银行卡号]"),
    ("6222 0212 3456 7890 123", "[银行卡号]"),
    ("6228-4800-1234-5678", "[银行卡号]"),
    ("4111111111111111", "[银行卡号]"),  # Luhn-valid, not UnionPay
    ("4111 1111 1111 1111到账了吗", "[银行卡号]到账了吗"),
    # 电话 / 邮箱
    ("请拨打0798-8221234咨询", "请拨打[电话]咨询"),
    ("010-12345678", "[电话]"),
    ("（0798）8221234", "[电话]"),
    ("邮箱zhang.san+hr@mail.example.com。", "邮箱[邮箱]。"),
    ("13812345678@163.com", "[邮箱]"),
    # forms from the security review (issue 13): any separators, other groupings, hidden or spelt-out digits
    ("360203-1990-01-01-123X", "[身份证号]"),
    ("3602 0319 9001 0112 3X", "[身份证号]"),
    ("身份证360203.19900101.1234号", "身份证[身份证号]号"),
    ("1381 234 5678", "[手机号]"),
    ("138.1234.5678", "[手机号]"),
    ("138-123-45678", "[手机号]"),
    ("手机1\u200b38\u200c1234\u200d5678", "手机[手机号]"),
    ("138\ufeff1234\u20605678", "[手机号]"),
    ("我的手机一三八一二三四五六七八", "我的手机[手机号]"),
    ("幺三八 幺二三四 五六七八", "[手机号]"),
    ("１３８．１２３４．５６７８", "[手机号]"),
    ("07988888888", "[电话]"),
    ("0798 8221234", "[电话]"),
    ("(0798)822-1234", "[电话]"),
    ("卡号1234567890123456789", "卡号[银行卡号]"),  # 19 digits, not Luhn-valid, not 62: still a card
    ("1234567890123456", "[银行卡号]"),  # any 16-19 digit run
    ("1234 5678 9012 3456 789", "[银行卡号]"),
    # mixed sentences
    (
        "我的身份证号是36020219900101123X，电话13812345678，失业金怎么领？",
        "我的身份证号是[身份证号]，电话[手机号]，失业金怎么领？",
    ),
    (
        "社保卡6217001234567890123没收到2020年的补贴，联系0798-8221234或a@b.cn",
        "社保卡[银行卡号]没收到2020年的补贴，联系[电话]或[邮箱]",
    ),
]

NEGATIVES = [
    "42.62万人",
    "2020年",
    "拨打12333热线",
    "景人社发〔2018〕10号",
    "148.5",
    "100%",
    "发放创业担保贷款21亿元",
    "邮编333000",
    "2016-2020年",
    "印发日期2018-01-19",
    "城镇新增就业１２万人",
    "123456789012345",  # 15 digits, month 90
    "12345678901234567890123",  # longer than any pattern: never partially redacted
    "0.13812345678",  # a decimal, not a phone number
    "13812345678901",  # 14 digits: no phone number inside
    "12345678",
    "400-123-4567",
    "增长3.8%，达到1.2亿人次",
    "第1381234567页",  # 10 digits
    "“十三五”时期（2016—2020年）",
    # policy text the broader patterns must still leave alone
    "城镇职工基本养老保险参保人数达42.62万人",
    "赣人社发〔2018〕10号、景人社字〔2019〕123号",
    "拨打12333或12345热线",
    "2016年1月1日至2020年12月31日",
    "2016.01.01-2020.12.31",
    "二〇一八年一月十九日",
    "发放创业担保贷款21亿元，扶持1.2万人创业",
    "13.8 12.3 45.6 78",  # a row of decimals, not a phone number
    "8.3\t10\t12.5\t14.1",
    "2016-2017-2018-2019",
    "第一、二、三、四、五、六、七项",
    "增长1.5%、2.3%、4.8%",
    "400-000-0000",
    "一二三四五",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_redacts(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert contains_pii(text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_policy_text_alone(text: str) -> None:
    assert redact(text) == text
    assert not contains_pii(text)


def test_unredacted_full_width_text_is_kept() -> None:
    # Only the matched span changes; full-width digits elsewhere stay as written.
    assert redact("就业１２万人，手机１３８１２３４５６７８") == "就业１２万人，手机[手机号]"


def test_idempotent() -> None:
    once = redact(POSITIVES[-1][0])
    assert redact(once) == once


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4111111111111111", True), ("5500000000000004", True), ("1234567890123456", False), ("0", True)],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


def test_spans_map_back_through_removed_characters() -> None:
    # The zero-width characters are inside the redacted span; the text around it is untouched.
    assert redact("前\u200b文1\u200b3812345678后\u200b文") == "前\u200b文[手机号]后\u200b文"
