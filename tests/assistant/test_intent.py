"""Reading what a question asks from its cue words."""
from assistant.intent import read_intent


def test_intent_flags() -> None:
    assert read_intent("你好", [], []).chitchat
    assert read_intent("生育保险参保人数要增加多少？", [], []).diff
    assert read_intent("“十二五”哪些指标没完成？", ["十二五"], []).unmet_list
    assert read_intent("这份规划的文号是什么？", [], []).doc_fact
    assert read_intent("这个实施方案是哪几个部门一起发的？", [], []).doc_fact
    assert not read_intent("哪几个部门负责审核？", [], []).doc_fact  # names no document: the citizen's matter
    assert not read_intent("我想开个网店，有补贴吗？", [], []).chitchat
    assert read_intent("帮我写一首关于陶瓷的诗", [], []).task
    assert read_intent("把这段话翻译成英文", [], []).task
    assert not read_intent("创业补贴怎么申请？", [], []).task


def test_what_a_citizen_asks_for() -> None:
    assert read_intent("我50岁了还能申请吗？", [], []).asks == "conditions"
    assert read_intent("要带什么材料？", [], []).asks == "materials"
    assert read_intent("异地就医怎么备案", [], []).asks == "steps"
    assert read_intent("在哪里办", [], []).asks == "where"
    assert read_intent("多久能批下来", [], []).asks == "duration"
    assert read_intent("失业金一个月能领多少", [], []).asks == ""
    assert read_intent("要带什么材料？", [], []).wants_points and not read_intent("在哪里办", [], []).wants_points


def test_strip_asks_keeps_the_topic_of_a_question() -> None:
    from assistant.intent import strip_asks

    assert strip_asks("创业担保贷款能贷多少") == "创业担保贷款能贷"
    assert strip_asks("一次性创业资助要什么材料？") == "一次性创业资助"
    # What is left of the ask goes with it: a follow-up ("总积分要达到多少分") must not ask for the conditions again.
    assert strip_asks("广州积分入户要满足什么条件？") == "广州积分入户"
    assert strip_asks("开公司办营业执照要交什么材料？") == "开公司办营业执照"
    assert strip_asks("广州创业担保贷款申请条件是什么") == "广州创业担保贷款申请"  # not "…申请是"
    assert strip_asks("失业金申领条件有哪些") == "失业金申领"
    assert strip_asks("公租房谁可以申请？") == "公租房申请"
    # An ask that wraps the matter leaves the matter: the follow-up "批下来以后多久能拿到钱？" needs it.
    assert strip_asks("家里遭了火灾，能申请临时救助吗？") == "家里遭了火灾，申请临时救助"
    assert strip_asks("失业保险金怎么申领") == "失业保险金怎么申领"  # no cue of ASKS: kept whole


def test_a_document_named_but_not_asked_for_gives_way_to_what_is_asked() -> None:
    # "材料" / "证明" as something the asker has: the question asks how long, or where.
    assert read_intent("申领养老金交了材料以后，一般多久能办好？", [], []).asks == "duration"
    assert read_intent("健康申报证明到哪里开？", [], []).asks == "where"
    assert read_intent("驾驶证明过期了，还能接着学吗？", [], []).asks == "conditions"
    # asked for, it stays the ask, though the question asks where too
    assert read_intent("办理社保卡需要带什么材料，去哪里办？", [], []).asks == "materials"
    assert read_intent("税务登记变更要交什么材料？", [], []).asks == "materials"
    assert read_intent("还要交纸质材料吗？多久内？", [], []).asks == "materials"


def test_a_few_in_a_yes_no_question_is_not_a_quantity() -> None:
    # "捎几个老乡吗" asks whether, not how many: answered as a figure, it gave "在湖北设置5个应急物资中转站".
    assert not read_intent("有了通行证，车上能顺便捎几个老乡吗？", [], []).quantity
    assert not read_intent("要跑好几趟吗？", [], []).quantity
    assert read_intent("车上能捎几个人？", [], []).quantity
    assert read_intent("有补贴吗？能补几个月？", [], []).quantity  # the 吗 closes another clause
    assert read_intent("最多能捎几个人吗？", [], []).quantity  # 最多 still asks a figure
    # What the asker tells was done asks no number: "发了几盒口罩，要交个税吗" asks whether.
    assert not read_intent("单位给我们每人发了几盒口罩,这些东西要算进工资里交个税吗?", [], []).quantity


def test_those_days_are_not_asked_for() -> None:
    intent = read_intent("春节延长假期那几天我没去上班，老板说那几天不发工资，这样行吗？", [], [])
    assert not intent.quantity and intent.asks != "duration"
    assert read_intent("审批要几天？", [], []).asks == "duration"


def test_a_what_to_do_question_naming_a_measure_asks_no_figure() -> None:
    assert not read_intent("对核定的养老金金额有异议怎么办", [], []).quantity
    assert read_intent("补贴标准是多少，不服怎么办", [], []).quantity  # a question word asks one too
    assert read_intent("失业金标准是多少", [], []).quantity
