"""Units and details a question asks for."""
from assistant.answers.units import answers_detail, expected_units, states_asked_number, states_money, unit_fits, waives_fee


def test_units_and_details_asked() -> None:
    assert expected_units("能扶持多少人创业？") >= {"万人"}
    assert not unit_fits("亿元", expected_units("能扶持多少人创业？"), "小额信用担保贷款", "能扶持多少人创业？")
    assert not answers_detail("创业担保贷款每人最多能贷多少？", "发放创业担保贷款21亿元，扶持1.2万人创业。")
    assert answers_detail("农村老人每个月能领多少养老金？", "城乡居民基本养老保险月人均养老金达到80元")
    assert not answers_detail("医保住院报销的起付线是多少钱？", "住院费用支付比例稳定在75%左右")


def test_a_question_asking_two_figures_accepts_both_units() -> None:
    assert expected_units("要发行多少张卡，覆盖多大比例的人口？") >= {"张", "%"}
    assert states_asked_number("覆盖百分之多少", ["覆盖全市90%人口"])
    assert not states_asked_number("覆盖百分之多少", ["发行150万张"])


def test_hours_answer_a_how_many_hours_question() -> None:
    q = "每天线上学习总时长为几个小时？"
    assert states_asked_number(q, ["小学、初中、高中分别不超过2小时、4小时、5小时"])
    assert not states_asked_number(q, ["共有3个年级"])


def test_how_long_needs_a_duration_not_a_date() -> None:
    q = "工伤认定申请以后多久出结果"
    assert not answers_detail(q, "2025年6月底前基本医疗保险、工伤保险基金可按原医保支付标准继续支付。")
    assert not answers_detail(q, "报名时间为12月20日。")
    assert answers_detail(q, "人力资源社会保障部门应当自受理之日起15个工作日内完成审核。")
    assert answers_detail("多久能领到", "参保后固定待遇等待期3个月")


def test_how_many_days_needs_days_and_which_days_needs_dates() -> None:
    assert not answers_detail("产假一共有多少天？", "新版药品目录增加34个药品。")
    assert answers_detail("产假一共有多少天？", "产假为98天。")
    assert answers_detail("网上报名是哪几天", "报名时间为5月19日至5月22日")


def test_where_what_to_bring_and_how_to_apply_need_their_own_detail() -> None:
    q = "社保卡丢了去哪里补办，要带什么材料？"
    assert not answers_detail(q, "改进社会保险经办内容、流程和标准，推进“综合柜员制”。")
    assert answers_detail(q, "持本人有效身份证件到社保经办服务窗口办理补卡。")
    assert answers_detail("可以用什么材料审核", "定点医疗机构可根据既往化验单、诊断书等予以审核确认。")


def test_a_personal_limit_is_not_answered_by_a_programme_total() -> None:
    q = "创业担保贷款个人最多能贷多少万"
    assert not answers_detail(q, "发放创业担保贷款21亿元，扶持1.2万人创业。")
    assert answers_detail(q, "个人创业担保贷款额度最高30万元。")


def test_how_much_one_can_get_oneself_is_a_personal_limit() -> None:
    q = "大学生自己创业，创业担保贷款最多能贷多少？"
    assert not answers_detail(q, "小微企业创业担保贷款额度最高为500万元。")
    assert answers_detail(q, "个人创业担保贷款额度最高30万元。")
    # Not when oneself is only told about, or the question is yes or no.
    assert answers_detail("我是自己主动辞职的，能领失业金吗", "主动注销的情形不属于非因本人意愿中断就业。")
    assert answers_detail("企业自己申请，最多能贷多少", "小微企业创业担保贷款额度最高为500万元。")


def test_a_subsidy_loan_or_fine_question_asks_an_amount_of_money() -> None:
    from assistant.answers.units import MONEY, holds_units, money_asked

    assert money_asked("三支一扶一个月生活补贴多少")
    assert money_asked("个人最多能贷多少万")
    assert money_asked("一次性扩岗补助一个人多少")
    assert money_asked("长者饭堂送餐上门有补贴吗？多少？")  # "is there one, and how much"
    assert not money_asked("送餐上门有补贴吗？")
    assert not money_asked("补贴期限最长多少个月")  # a duration, not money
    assert not money_asked("补交以后要等多久")
    assert not money_asked("补贴多少钱")  # the unit is already said: expected_units handles it
    assert holds_units("生活补贴每人每月3600元", MONEY)
    assert not holds_units("在岗服务满6个月以上的人员一次性安家费补贴", MONEY)


def test_limits_floors_and_addresses_as_passages_write_them() -> None:
    assert answers_detail("一次最多能开多久的药", "处方用药量最长放宽至3个月")
    assert not answers_detail("每个月最低交多少钱", "城乡居民基本养老保险月人均养老金达到80元")
    assert answers_detail("最少能发多少", "每户每月住房租赁补贴不足200元的，按照200元／月予以发放")
    assert answers_detail("在哪里办租赁备案", "石牌街 87564410 天河区石牌东路127号1楼")


def test_how_many_years_needs_a_number_of_years() -> None:
    assert answers_detail("租金补贴最多补几年", "补贴期限累计不超过3年。")
    assert not answers_detail("租金补贴最多补几年", "网络创业培训每人最高可补贴2000元")
    assert not answers_detail("补贴要交几年", "2025年起实施")
    assert answers_detail("我以前交了几年社保，能转过来吗", "可以申请办理转移接续")
    # "满多少年" asks the years even when the question goes on ("…退休才能按月领").
    assert not answers_detail("社保要交满多少年退休才能按月领养老金", "养老金于审核通过的次月10日前划入银行账户")
    assert answers_detail("社保要交满多少年退休才能按月领养老金", "达到法定退休年龄时累计缴费满15年")


def test_a_monthly_amount_is_not_a_date_in_some_month() -> None:
    assert not answers_detail("子女教育每个月能扣多少", "报名时间为4月26日至4月28日。")
    assert answers_detail("低保每个月多少钱", "全市城乡最低生活保障标准为每人每月1309元。")
    assert answers_detail("领了失业金以后每个月要办什么手续", "失业人员应按时办理失业登记。")  # how often, not how much


def test_a_share_of_a_wage_is_an_amount_of_money() -> None:
    from assistant.answers.units import states_money

    assert states_money("见习单位应当每月向见习人员提供不低于本市最低工资标准80%的生活补贴")
    assert states_money("按每月500元给予生活费补贴")
    assert not states_money("留用率达到60%以上的")


def test_a_rate_per_year_is_not_a_duration() -> None:
    assert not answers_detail("工伤认定要在多长时间内申请", "参加工伤保险，每个险种每满1年计2分。")
    assert answers_detail("社保要交多久才能领养老金", "累计缴费满15年。")


def test_figures_in_chinese_numerals_answer_too() -> None:
    # "几天" asks a duration, and "五日以上十日以下拘留" states one.
    assert states_asked_number("会被拘留几天", ["处五日以上十日以下拘留，可以并处五百元以下罚款"])
    assert not states_asked_number("会被拘留几天", ["情节较轻的，予以警告"])
    assert answers_detail("最多能抵多少", "捐赠额未超过应纳税所得额百分之三十的部分")
    assert states_money("可以并处五百元以下罚款")


def test_a_count_in_ten_thousands_and_a_duration_in_minutes() -> None:
    assert states_asked_number("新增了多少个公益性岗位", ["新增2万个乡村公益性岗位"])
    assert states_asked_number("小学一节网课一般多长时间", ["其中小学在20分钟以内、中学在30分钟以内"])
    assert not states_asked_number("小学一节网课一般多长时间", ["小学在线学习时间每天不超过"])


def test_any_wording_that_asks_what_to_bring_needs_a_sentence_naming_documents() -> None:
    # "要交什么票据" / "要准备什么" ask for documents as much as "带什么材料" does
    for q in ("申请临时救助要交什么票据？", "办优待证要准备什么？", "要上传哪些资料"):
        assert not answers_detail(q, "申请临时救助的事由应发生在申请日前12个月内。"), q
        assert answers_detail(q, "应当提供医疗支出缴费凭据和有效证件，上传相关资料。"), q
    # "提供什么条件" / "提供哪些优待" / "哪些东西进行焚烧" ask no documents
    for q in ("要求为隔离区域提供什么条件？", "对一线医务人员家属提供哪些优待政策？", "对哪些东西进行焚烧？"):
        assert answers_detail(q, "隔离区域应具备室内光线及通风良好等功能。"), q


def test_a_limit_is_written_as_not_above_within_or_a_cap_too() -> None:
    assert answers_detail("一年最多报多少", "按不高于每人每年250000元的标准纳入统筹基金支付范围。")
    assert answers_detail("最多能贷多少", "个人贷款在30万元以内。")
    assert answers_detail("最多报多少钱", "统筹基金支付限额为200元。")
    assert not answers_detail("一年最多报多少", "按每人每年250000元的标准纳入统筹基金支付范围。")  # no limit stated


def test_how_much_something_went_up_needs_a_sentence_stating_a_rise() -> None:
    assert answers_detail("今年退休人员的养老金涨了多少", "退休人员基本养老金月人均提高2%。")
    assert not answers_detail("今年退休人员的养老金涨了多少", "基本养老金将于审核通过的次月10日前划入银行账户。")
    assert answers_detail("养老金是多少", "基本养老金将于次月10日前划入银行账户。")  # no rise asked


def test_how_much_one_pays_is_an_amount_of_money() -> None:
    from assistant.answers.units import money_asked

    assert money_asked("学生参加城乡居民医保自己交多少")
    assert money_asked("灵活就业每月要缴多少")
    assert not money_asked("社保要交多少年")  # years, not money


def test_a_limit_raised_to_a_figure_answers_an_at_most_question() -> None:
    q = "我高血压常年吃药，一次最多能开多久的药？"
    assert answers_detail(q, "可将一次取药量放宽至3个月。")
    assert not answers_detail(q, "一次取药量为3个月。")
    # "那几天" names days the asker speaks of; it asks no number of days.
    assert answers_detail("老板说那几天不发工资，这样行吗？", "企业应当正常支付工资。")


def test_how_much_talent_subsidy_asks_money_not_people() -> None:
    assert expected_units("那边给多少人才补贴？") == set()
    assert "人" in expected_units("招了多少人？")


def test_a_per_person_amount_is_a_detail_only_when_asked() -> None:
    passage = "单位发给个人用于预防的药品和防护用品等实物，不计入工资、薪金收入，免征个人所得税。"
    assert answers_detail("单位给我们每人发了几盒口罩，这些东西要算进工资里交个税吗？", passage)  # the asker's account
    assert not answers_detail("单位给职工的防护用品每人能发多少？", passage)


def test_a_fee_is_waived_by_a_sentence_or_its_title_naming_it() -> None:
    q = "首次注册要交多少注册费？"
    assert waives_fee(q, [("注册费收费标准一律执行零收费。", "某省关于医疗器械的通知")])
    assert waives_fee(q, [("产品注册执行零收费。", "某省免收医疗器械注册费和检验费")])  # the title names the fee
    assert not waives_fee(q, [("产品检验执行零收费。", "某省免收医疗器械检验费")])  # another fee
    assert not waives_fee(q, [("注册费按国家标准收取。", "某省医疗器械注册通知")])
