//! The words of the demo cases: for each kind and category a few matters such as a town
//! center really sees (unpaid wages, a homestead boundary, a leaking ceiling, a traffic
//! accident…), with their facts, the request, what was agreed and why mediation failed.
//!
//! Placeholders filled by the generator: `{A}` the applicant, `{B}` the respondent, `{V}` the
//! village, `{G}` the group, `{N}` an amount in yuan, `{M}` a small count (months, people,
//! metres).

use shared::model::{CaseKind, Category, RiskFlag};

/// Who stands on the other side of a matter.
#[derive(Debug, Clone, Copy)]
pub enum Resp {
    /// Another resident.
    Person,
    /// An organisation, one of these.
    Org(&'static [&'static str]),
    /// Nobody (services, many demands).
    Nobody,
}

/// One kind of matter.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub kind: CaseKind,
    pub category: Category,
    pub summary: &'static str,
    pub facts: &'static str,
    pub request: &'static str,
    pub respondent: Resp,
    /// What was agreed or done when it was resolved.
    pub resolved: &'static str,
    /// Why it was not: mediation ended, or the request was not supported.
    pub failed: &'static str,
    /// Range of `{N}`, in yuan.
    pub amount: (u32, u32),
    /// Risk flags it usually carries.
    pub flags: &'static [RiskFlag],
}

const BUILDERS: &[&str] = &[
    "瓜州县鑫源建筑劳务有限公司",
    "瓜州县宏达建筑安装工程队",
    "瓜州县永兴建筑工程有限公司",
];
const MELON_FARMS: &[&str] = &[
    "瓜州县绿源蜜瓜种植专业合作社",
    "瓜州县甜源蜜瓜产销专业合作社",
    "瓜州县丰禾农业发展有限公司",
];
const AGRI_SHOPS: &[&str] = &["瓜州县丰收农资经营部", "瓜州县绿野农资门市部"];
const APPLIANCE_SHOPS: &[&str] = &["瓜州镇华联家电商行", "瓜州县惠民家电城"];
const GARAGES: &[&str] = &["瓜州县顺达汽车维修部", "瓜州县通达汽修厂"];
const SUPERMARKETS: &[&str] = &["瓜州县惠民超市", "瓜州镇万家福超市"];
const PROPERTY: &[&str] = &["瓜州县安居物业服务有限公司", "瓜州县康居物业管理有限公司"];
const DENTISTS: &[&str] = &["瓜州县康宁口腔诊所", "瓜州县皓齿口腔诊所"];
const DUSTY_WORKS: &[&str] = &["瓜州县鑫达砖厂", "瓜州县宏远石料加工厂"];
const LIVESTOCK_FARMS: &[&str] = &["瓜州县兴旺养殖场", "瓜州县牧丰养殖专业合作社"];
const WIND_FARMS: &[&str] = &["瓜州县风电项目建设单位"];

macro_rules! s {
    ($kind:ident, $cat:ident, $summary:literal, $facts:literal, $request:literal, $resp:expr,
     $resolved:literal, $failed:literal, $amount:expr $(, $flag:ident)*) => {
        Scenario {
            kind: CaseKind::$kind,
            category: Category::$cat,
            summary: $summary,
            facts: $facts,
            request: $request,
            respondent: $resp,
            resolved: $resolved,
            failed: $failed,
            amount: $amount,
            flags: &[$(RiskFlag::$flag),*],
        }
    };
}

/// Disputes (矛盾纠纷), at least one per category.
pub const DISPUTES: &[Scenario] = &[
    s!(
        Dispute,
        MarriageFamily,
        "夫妻因家庭琐事长期争吵,女方要求离婚",
        "{A}与{B}结婚十余年,育有一子。近年来双方因{B}外出务工期间很少顾家、家庭开支等琐事经常争吵,{A}多次回娘家居住,提出离婚。",
        "希望调解处理夫妻矛盾,如无法和好则协议离婚。",
        Resp::Person,
        "经耐心疏导,双方各自检讨,{B}承诺减少外出、按月交家用,双方和好。",
        "双方感情确已破裂,女方坚持离婚,对财产分割分歧较大。",
        (0, 0)
    ),
    s!(
        Dispute,
        MarriageFamily,
        "三兄弟推诿赡养八旬老母",
        "{V}{G}村民{A}年过八旬,育有三子。长子{B}认为分家时老人财产多给了幼子,拒绝承担赡养费用,兄弟间多次争吵,老人生活无着。",
        "要求子女按月给付赡养费并轮流照顾。",
        Resp::Person,
        "三兄弟达成赡养协议:每人每月给付赡养费{N}元,老人由三家轮流照顾,每家四个月。",
        "长子坚持以分家不公为由拒绝赡养,调解不成。",
        (300, 600),
        Vulnerable
    ),
    s!(
        Dispute,
        MarriageFamily,
        "离婚后子女探视权纠纷",
        "{A}与{B}已协议离婚,孩子随{B}生活。近半年{B}以各种理由阻止{A}探望孩子,双方在学校门口发生争执。",
        "要求明确探视时间,保障探望权。",
        Resp::Person,
        "双方约定{A}每月探视两次、寒暑假可接孩子同住一周,抚养费按时给付。",
        "双方互不让步,调解终止。",
        (0, 0),
        Minors
    ),
    s!(
        Dispute,
        Neighbour,
        "楼上卫生间漏水致楼下天花板受损",
        "{A}家住{V}某小区三楼,因楼上{B}家卫生间防水层老化,多次漏水致{A}家天花板霉变、墙皮脱落。双方多次协商未果,关系紧张。",
        "要求楼上修复防水并赔偿装修损失。",
        Resp::Person,
        "{B}三日内请人重做卫生间防水,并一次性赔偿{A}装修损失{N}元。",
        "双方对损失金额分歧大,{B}拒不配合入户查看,调解终止。",
        (1500, 6000)
    ),
    s!(
        Dispute,
        Neighbour,
        "邻里因排水沟堵塞发生口角",
        "{V}{G}{A}与{B}两家相邻,{B}修建院墙时将排水沟堵塞,雨后积水倒灌{A}家院内,双方发生口角并有推搡。",
        "要求恢复排水沟,赔偿浸泡损失的粮食。",
        Resp::Person,
        "{B}拆除堵塞部分、恢复排水沟,赔偿{A}粮食损失{N}元,双方握手言和。",
        "双方各执一词,互不相让,调解未成。",
        (300, 1500),
        CriminalRisk
    ),
    s!(
        Dispute,
        Neighbour,
        "邻居家犬只夜间吠叫扰民",
        "{A}反映邻居{B}在院内饲养大型犬两只,夜间经常吠叫,家中老人无法休息,沟通后仍未改善,双方矛盾升级。",
        "要求对犬只拴养并采取隔音措施。",
        Resp::Person,
        "{B}将犬只移至后院拴养并办理养犬登记,夜间关入犬舍。",
        "{B}拒绝调解。",
        (0, 0)
    ),
    s!(
        Dispute,
        HousingHomestead,
        "宅基地边界争议,邻居砌墙越界",
        "{V}{G}村民{A}与{B}宅基地相邻。{B}翻建院墙时向{A}一侧延伸约{M}十厘米,{A}认为侵占其宅基地,双方多次争吵,险些动手。",
        "要求按确权登记的界址拆除越界墙体。",
        Resp::Person,
        "会同国土所现场核对确权图纸,{B}拆除越界部分墙体,双方以界桩为准重新确认边界。",
        "双方对历史界址认定分歧较大,已告知可申请行政确权或提起诉讼。",
        (0, 0)
    ),
    s!(
        Dispute,
        HousingHomestead,
        "兄弟分家析产,老宅归属起争议",
        "父亲去世后,{A}与弟弟{B}对老宅归属产生争议。{B}长期居住老宅并翻修,{A}要求分得一半房屋或折价补偿。",
        "要求分割老宅或给予折价补偿。",
        Resp::Person,
        "老宅归{B}所有,{B}分两期补偿{A}{N}元。",
        "双方对房屋价值分歧较大,已告知可向人民法院起诉。",
        (20000, 80000)
    ),
    s!(
        Dispute,
        Contract,
        "民间借款到期未还",
        "{B}于前年向{A}借款{N}元用于购买农机,约定一年归还,有借条为证。到期后{A}多次催要,{B}以收成不好为由一再拖延。",
        "要求归还借款本金及利息。",
        Resp::Person,
        "{B}承认借款事实,约定分三期于年底前还清本金,{A}放弃利息。",
        "{B}否认借款用途及利息约定,调解不成,已告知可向人民法庭起诉。",
        (20000, 80000)
    ),
    s!(
        Dispute,
        Contract,
        "土地流转合同到期后租金结算纠纷",
        "{A}将自家{M}十亩承包地流转给{B}种植蜜瓜,合同约定每亩年租金{N}元。合同到期后{B}以当年瓜价下跌为由拖欠最后一年租金。",
        "要求付清拖欠的流转租金。",
        Resp::Org(MELON_FARMS),
        "{B}同意在一个月内付清租金,并将土地恢复原状后交还。",
        "{B}坚持减免租金,调解终止,已告知可申请农村土地承包仲裁。",
        (500, 900)
    ),
    s!(
        Dispute,
        Business,
        "合伙经营蜜瓜收购点散伙后账目不清",
        "{A}与{B}合伙在{V}经营蜜瓜收购点,今年散伙时对剩余货款和设备折价分配发生争议。",
        "要求核对账目,分配剩余货款。",
        Resp::Person,
        "在调解员主持下双方逐笔核账,{B}支付{A}剩余货款{N}元,设备归{B}。",
        "{B}拒绝提供账本,调解不成。",
        (8000, 40000)
    ),
    s!(
        Dispute,
        Business,
        "农资店出售劣质化肥致减产",
        "{A}在{B}购买复合肥施用后,所种棉花长势明显差于邻地,经农技人员查看疑为化肥质量问题,减产明显。",
        "要求赔偿减产损失。",
        Resp::Org(AGRI_SHOPS),
        "{B}赔偿{A}减产损失{N}元,并下架同批次化肥。",
        "双方对减产原因各执一词,需质量鉴定,已告知可申请鉴定后诉讼。",
        (3000, 15000)
    ),
    s!(
        Dispute,
        Damages,
        "放养羊只啃食邻家麦苗",
        "{V}{G}村民{B}放养的羊群进入{A}家麦田,啃食麦苗约{M}亩。{A}找{B}理论未果,双方发生争执。",
        "要求赔偿麦苗损失。",
        Resp::Person,
        "{B}赔偿{A}损失{N}元,并承诺今后圈养。",
        "{B}拒不承认羊只为其所有,调解终止。",
        (500, 2000)
    ),
    s!(
        Dispute,
        Damages,
        "打架致人轻微伤,医药费赔偿纠纷",
        "{A}与{B}因酒后口角发生厮打,{A}面部受伤住院治疗,花费医药费{N}元。派出所出警后建议调解。",
        "要求赔偿医药费、误工费。",
        Resp::Person,
        "{B}当面赔礼道歉,赔偿医药费、误工费共计{N}元,{A}出具谅解书。",
        "双方对赔偿金额差距较大,已告知可提起诉讼。",
        (2000, 12000),
        CriminalRisk
    ),
    s!(
        Dispute,
        LandForest,
        "灌溉轮水顺序引发争执",
        "{V}{G}{A}与{B}地块相邻,共用一条支渠。春灌时{B}未按轮水顺序私自开口放水,致{A}地块未能按时浇水,双方在渠边争吵。",
        "要求按轮灌制度放水,赔偿误灌损失。",
        Resp::Person,
        "明确双方轮水时间,{B}补偿{A}损失{N}元,由村水管员监督执行。",
        "双方争执不下,已告知可由村委会和水管所依规处理。",
        (300, 1500)
    ),
    s!(
        Dispute,
        LandForest,
        "承包地地界不清,多年争种",
        "{A}与{B}承包地相邻,因早年地界标志灭失,双方对中间约{M}分地的耕种权争议多年,今年春耕再起冲突。",
        "要求依据承包合同和确权证明确地界。",
        Resp::Person,
        "依据确权登记图现场测量,重新埋设界桩,争议地块归{A}耕种。",
        "双方均不认可测量结果,已告知可向乡镇政府申请处理。",
        (0, 0)
    ),
    s!(
        Dispute,
        Expropriation,
        "风电线路占地补偿分配争议",
        "风电项目输电线路塔基占用{V}{G}集体土地,补偿款到位后,{A}认为自家承包地被占用更多,对小组分配方案有异议。",
        "要求按实际占地面积重新核算补偿。",
        Resp::Org(WIND_FARMS),
        "会同国土所复核占地面积,按实补偿{A}{N}元,小组分配方案相应调整。",
        "补偿标准属政策规定,{A}不接受,已告知可通过行政复议途径解决。",
        (3000, 20000)
    ),
    s!(
        Dispute,
        Pollution,
        "厂区粉尘影响周边农作物",
        "{V}附近{B}生产时粉尘较大,{A}等几户村民反映葡萄、枸杞叶片落满灰尘,影响产量和品质。",
        "要求砖厂整改并赔偿作物损失。",
        Resp::Org(DUSTY_WORKS),
        "{B}加装除尘设施、道路定时洒水,并补偿受影响农户共计{N}元。",
        "企业不认可损失与粉尘的关系,调解终止,已告知可向生态环境部门反映。",
        (5000, 20000),
        GroupIncident
    ),
    s!(
        Dispute,
        Labour,
        "建筑工地拖欠农民工工资",
        "{A}等{M}名村民在{B}承建的工地务工,工程完工后仍被拖欠工资共计{N}元,多次讨要未果,准备集体上访。",
        "要求结清拖欠工资。",
        Resp::Org(BUILDERS),
        "经调解,{B}于春节前一次性结清拖欠工资{N}元,当场签订调解协议。",
        "用工方负责人失联,调解终止,已告知可申请劳动仲裁并协助提供法律援助。",
        (20000, 120000),
        GroupIncident
    ),
    s!(
        Dispute,
        Labour,
        "务工时受伤,工伤赔偿纠纷",
        "{A}在{B}打工时从脚手架摔下致腿部骨折,单位仅支付部分医疗费,对后续误工费、护理费不予认可。",
        "要求赔偿医疗费、误工费、护理费等。",
        Resp::Org(BUILDERS),
        "{B}一次性赔偿{A}各项损失共计{N}元。",
        "双方对伤残等级分歧较大,已告知可申请工伤认定和劳动仲裁。",
        (15000, 60000)
    ),
    s!(
        Dispute,
        Labour,
        "瓜地采摘工工钱结算纠纷",
        "{A}等人在{B}采摘蜜瓜二十余天,结算时对方以瓜品损耗为由扣减工钱,双方争执不下。",
        "要求按约定日工资结清工钱。",
        Resp::Org(MELON_FARMS),
        "双方核对考勤,{B}补发工钱{N}元。",
        "雇主拒绝到场,已告知可申请劳动仲裁。",
        (3000, 12000)
    ),
    s!(
        Dispute,
        Consumer,
        "新购冰箱制冷故障,商家拒绝退换",
        "{A}在{B}购买冰箱,使用不到一个月即出现制冷故障,多次维修未好,商家只同意继续维修,不同意退换。",
        "要求退货退款。",
        Resp::Org(APPLIANCE_SHOPS),
        "{B}为{A}更换同型号新冰箱。",
        "商家坚持只修不换,调解终止,已告知可向市场监管部门投诉或起诉。",
        (2000, 5000)
    ),
    s!(
        Dispute,
        Consumer,
        "汽车维修后故障复发,费用争议",
        "{A}的皮卡车在{B}更换变速箱配件,花费{N}元,行驶半月后同一故障复发,维修部要求再次收费。",
        "要求免费返修或退还维修费。",
        Resp::Org(GARAGES),
        "{B}免费返修并承担拖车费用。",
        "双方对故障原因各执一词,调解不成。",
        (1500, 6000)
    ),
    s!(
        Dispute,
        Medical,
        "拔牙后感染,诊所赔偿纠纷",
        "{A}在{B}拔牙后出现严重感染,转院治疗花费{N}元,认为诊所消毒不规范,双方协商未果。",
        "要求诊所承担后续治疗费用。",
        Resp::Org(DENTISTS),
        "{B}承担{A}后续治疗费用{N}元,双方不再追究。",
        "诊所不认可存在过错,已告知可申请医疗损害鉴定或诉讼。",
        (3000, 15000)
    ),
    s!(
        Dispute,
        Traffic,
        "电动车与三轮车相撞,赔偿纠纷",
        "{A}骑电动车在{V}村道上与{B}驾驶的农用三轮车相撞,{A}腿部受伤,交警认定双方同等责任,就赔偿数额协商不成。",
        "要求赔偿医疗费、误工费、车辆维修费。",
        Resp::Person,
        "按同等责任,{B}赔偿{A}各项损失{N}元,一次性了结。",
        "{B}无力赔偿且不同意分期,调解终止,已告知可向人民法庭起诉。",
        (3000, 20000)
    ),
    s!(
        Dispute,
        Traffic,
        "倒车剐蹭停放车辆",
        "{B}在集市倒车时剐蹭{A}停放的轿车,致车门凹陷,双方对维修费用存在争议。",
        "要求赔偿维修费。",
        Resp::Person,
        "{B}赔偿{A}维修费{N}元。",
        "双方对定损金额不认可,调解不成。",
        (800, 3000)
    ),
    s!(
        Dispute,
        PropertyManagement,
        "小区电梯长期停运,业主拒交物业费",
        "{V}某小区电梯停运两月未修,{A}等业主拒交物业费,{B}称维修基金未到位,双方矛盾激化。",
        "要求物业尽快修复电梯。",
        Resp::Org(PROPERTY),
        "{B}承诺十五日内修复电梯,业主补交物业费,社区监督落实。",
        "物业公司拒绝到场,调解终止。",
        (0, 0),
        GroupIncident
    ),
    s!(
        Dispute,
        PropertyManagement,
        "物业停车位收费争议",
        "{A}认为{B}擅自划定收费车位、收费标准未经业主大会同意,拒绝缴费,车辆被拦在小区外。",
        "要求公示收费依据,停止拦车。",
        Resp::Org(PROPERTY),
        "{B}公示收费依据,暂停拦车,收费标准提交业主大会表决。",
        "双方分歧较大,已告知可向住建部门反映。",
        (0, 0)
    ),
    s!(
        Dispute,
        Other,
        "红白喜事借用桌椅损坏赔偿",
        "{B}办喜事时向{A}借用桌椅餐具,归还时部分损坏、遗失,双方对赔偿金额有争议。",
        "要求照价赔偿损坏遗失的桌椅餐具。",
        Resp::Person,
        "{B}赔偿{A}{N}元,双方和好。",
        "双方互不相让,调解不成。",
        (300, 1500)
    ),
];

/// Legal consultations (法律咨询).
pub const CONSULTATIONS: &[Scenario] = &[
    s!(
        Consultation,
        MarriageFamily,
        "咨询离婚时夫妻共同财产如何分割",
        "{A}来中心咨询:准备离婚,婚后以丈夫名义购买的楼房和农机如何分割。",
        "了解相关法律规定。",
        Resp::Nobody,
        "已解答夫妻共同财产的认定和分割原则,告知协议离婚与诉讼离婚的程序。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        MarriageFamily,
        "咨询父母遗产继承顺序",
        "{A}父亲去世未留遗嘱,兄妹三人对老宅和存款继承份额有疑问。",
        "了解法定继承的顺序和份额。",
        Resp::Nobody,
        "已解答法定继承顺序、份额及宅基地上房屋继承的规定。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        MarriageFamily,
        "咨询子女抚养费给付标准",
        "{A}离婚后独自抚养女儿,前夫每月给付抚养费较少,咨询能否要求增加。",
        "了解抚养费标准及变更途径。",
        Resp::Nobody,
        "已解答抚养费的确定标准及请求增加抚养费的条件和途径。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Labour,
        "咨询工伤认定申请程序和时限",
        "{A}丈夫在外地工地受伤,单位未为其缴纳工伤保险,咨询如何申请工伤认定。",
        "了解工伤认定程序。",
        Resp::Nobody,
        "已解答工伤认定申请时限、所需材料和未参保时的待遇承担。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Labour,
        "咨询未签劳动合同能否要求双倍工资",
        "{A}在某物流公司工作八个月,公司一直未与其签订劳动合同,现被辞退。",
        "了解权利和维权途径。",
        Resp::Nobody,
        "已解答未签书面劳动合同二倍工资、经济补偿的规定及劳动仲裁程序。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Contract,
        "咨询民间借贷利息多少受法律保护",
        "{A}借给亲戚一笔钱,约定月息两分,咨询利息是否受法律保护。",
        "了解民间借贷利率上限。",
        Resp::Nobody,
        "已解答民间借贷利率司法保护上限及借条书写注意事项。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        LandForest,
        "咨询土地承包经营权流转合同注意事项",
        "{A}准备将承包地流转给合作社种植蜜瓜,咨询合同应注意哪些条款。",
        "了解流转合同的内容。",
        Resp::Nobody,
        "已解答流转期限、租金支付、地上附着物及到期返还等条款要点,提供合同范本。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        HousingHomestead,
        "咨询宅基地上房屋能否继承和买卖",
        "{A}在城里定居,老家宅基地上有房屋,咨询能否卖给外村人。",
        "了解宅基地和房屋处分的规定。",
        Resp::Nobody,
        "已解答宅基地使用权、房屋继承及流转的政策规定。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Traffic,
        "咨询交通事故赔偿包括哪些项目",
        "{A}家人遭遇交通事故受伤,咨询可主张哪些赔偿以及保险理赔流程。",
        "了解赔偿项目和程序。",
        Resp::Nobody,
        "已解答医疗费、误工费、护理费等赔偿项目及交强险、商业险理赔程序。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Consumer,
        "咨询网购商品能否七日无理由退货",
        "{A}网购的电暖器收到后不想要了,商家不同意退货。",
        "了解网购退货规定。",
        Resp::Nobody,
        "已解答网购七日无理由退货的规定及投诉途径。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Damages,
        "咨询被狗咬伤后如何索赔",
        "{A}被邻居家的狗咬伤,花费疫苗费等费用,咨询能否要求赔偿。",
        "了解饲养动物损害责任。",
        Resp::Nobody,
        "已解答饲养动物损害责任的规定及可主张的费用,建议先行协商或申请调解。",
        "",
        (0, 0)
    ),
    s!(
        Consultation,
        Other,
        "咨询赡养老人是否可以约定轮流照顾",
        "{A}兄妹四人对父母赡养方式意见不一,咨询能否签订赡养协议。",
        "了解赡养协议的效力。",
        Resp::Nobody,
        "已解答子女赡养义务及赡养协议的订立方式,建议到村调委会签订协议。",
        "",
        (0, 0)
    ),
];

/// Legal aid applications (法律援助).
pub const LEGAL_AID: &[Scenario] = &[
    s!(
        LegalAid,
        Labour,
        "申请法律援助:追索拖欠劳动报酬",
        "{A}在外地工地务工被拖欠工资{N}元,用工单位拒付,家庭经济困难,申请法律援助。",
        "请求指派法律服务人员代理劳动仲裁。",
        Resp::Org(BUILDERS),
        "经审查符合法律援助条件,已指派法律服务工作者代理劳动仲裁。",
        "经审查申请人不符合经济困难标准,已告知可自行委托代理人。",
        (8000, 40000),
        Vulnerable
    ),
    s!(
        LegalAid,
        Labour,
        "申请法律援助:工伤赔偿",
        "{A}务工时受伤致十级伤残,用人单位未参加工伤保险,拒绝赔偿,申请法律援助。",
        "请求代理工伤赔偿案件。",
        Resp::Org(BUILDERS),
        "经审查符合条件,已指派律师代理工伤认定及赔偿事宜。",
        "申请事项已超过仲裁时效,不予援助,已告知相关风险。",
        (0, 0)
    ),
    s!(
        LegalAid,
        MarriageFamily,
        "申请法律援助:追索赡养费",
        "{A}年逾七旬,子女长期不尽赡养义务,生活困难,申请法律援助起诉追索赡养费。",
        "请求代理追索赡养费诉讼。",
        Resp::Person,
        "经审查符合条件,已指派法律服务工作者代为起诉。",
        "经审查不符合条件。",
        (0, 0),
        Vulnerable
    ),
    s!(
        LegalAid,
        MarriageFamily,
        "申请法律援助:遭受家庭暴力起诉离婚",
        "{A}长期遭受丈夫殴打,申请法律援助起诉离婚并申请人身安全保护令。",
        "请求代理离婚诉讼及申请人身安全保护令。",
        Resp::Person,
        "经审查符合条件,已指派律师代理,协助申请人身安全保护令。",
        "经审查不符合条件。",
        (0, 0),
        Vulnerable
    ),
    s!(
        LegalAid,
        Traffic,
        "申请法律援助:交通事故人身损害赔偿",
        "{A}的儿子在交通事故中受重伤,肇事方仅垫付部分医药费,家庭经济困难,申请法律援助。",
        "请求代理交通事故损害赔偿诉讼。",
        Resp::Person,
        "经审查符合条件,已指派律师代理诉讼。",
        "经审查申请人有能力委托代理人,不予援助。",
        (0, 0)
    ),
    s!(
        LegalAid,
        Damages,
        "申请法律援助:残疾人人身损害赔偿",
        "{A}系肢体残疾人,被他人驾驶农用车撞伤,对方拒绝赔偿,申请法律援助。",
        "请求代理人身损害赔偿案件。",
        Resp::Person,
        "经审查符合条件,已指派法律服务工作者代理。",
        "经审查不符合条件。",
        (0, 0),
        Vulnerable
    ),
];

/// Psychological services (心理服务).
pub const PSYCH: &[Scenario] = &[
    s!(
        Psych,
        MarriageFamily,
        "夫妻矛盾引发情绪困扰,申请心理疏导",
        "{A}因夫妻长期争吵失眠焦虑,在调解员建议下来心理服务室寻求帮助。",
        "希望得到心理疏导。",
        Resp::Nobody,
        "已进行三次心理疏导,来访者情绪明显好转,已纳入回访台账。",
        "来访者未再前来。",
        (0, 0)
    ),
    s!(
        Psych,
        Other,
        "留守老人孤独抑郁,网格员转介心理关爱",
        "{V}{G}独居老人{A}子女均在外地务工,近期情绪低落、不愿出门,网格员走访发现后转介。",
        "希望上门心理关爱。",
        Resp::Nobody,
        "心理咨询师两次上门陪伴疏导,联系子女增加联络,老人情绪好转。",
        "老人拒绝上门服务。",
        (0, 0),
        Vulnerable
    ),
    s!(
        Psych,
        MarriageFamily,
        "初三学生厌学焦虑,家长申请心理辅导",
        "{A}的孩子读初三,近期厌学、与父母冲突频繁,家长求助心理服务室。",
        "希望对孩子进行心理辅导。",
        Resp::Nobody,
        "已开展亲子沟通辅导和学生个体辅导,孩子情绪趋于稳定。",
        "家长未再预约。",
        (0, 0),
        Minors
    ),
    s!(
        Psych,
        Other,
        "纠纷当事人情绪激动,调解前心理疏导",
        "{A}因土地纠纷情绪激动,多次扬言采取过激行为,调解员请心理服务室介入疏导。",
        "稳定情绪,配合调解。",
        Resp::Nobody,
        "经心理疏导,当事人情绪平复,同意通过调解解决纠纷。",
        "当事人拒绝疏导。",
        (0, 0),
        ExtremeBehaviour
    ),
    s!(
        Psych,
        Other,
        "丧偶后情绪低落,亲属申请心理援助",
        "{A}配偶因病去世后长期情绪低落、食欲不振,亲属陪同来心理服务室。",
        "希望得到心理援助。",
        Resp::Nobody,
        "已开展哀伤辅导,建议到医院进一步评估,定期回访。",
        "来访者未再前来。",
        (0, 0)
    ),
    s!(
        Psych,
        Labour,
        "讨薪未果产生焦虑,务工人员心理疏导",
        "{A}多次讨要工资未果,焦虑失眠,在申请调解的同时接受心理疏导。",
        "缓解焦虑情绪。",
        Resp::Nobody,
        "经两次疏导,来访者焦虑缓解,工资问题同步调解中。",
        "来访者未再前来。",
        (0, 0)
    ),
];

/// Petitions (信访).
pub const PETITIONS: &[Scenario] = &[
    s!(
        Petition,
        Expropriation,
        "反映征地补偿款发放不到位",
        "{A}反映{V}{G}部分土地被征收用于道路建设,至今仍有部分补偿款未发放到户。",
        "要求尽快足额发放补偿款。",
        Resp::Nobody,
        "经核查,剩余补偿款已协调资金,于本月内全部发放到户。",
        "经核查,补偿款已按方案足额发放,信访人所提额外补偿无政策依据,不予支持,已告知复查途径。",
        (0, 0)
    ),
    s!(
        Petition,
        LandForest,
        "反映村集体机动地承包不公开",
        "{A}反映{V}村集体机动地发包未经村民代表会议讨论、未公示。",
        "要求公开发包程序,重新发包。",
        Resp::Nobody,
        "经核查,督促村委会补充履行公示程序,下一轮发包按程序公开进行。",
        "经核查,发包程序符合规定,已向信访人出示会议记录并解释说明。",
        (0, 0)
    ),
    s!(
        Petition,
        Labour,
        "反映工程欠薪多次讨要未果",
        "{A}等{M}名务工人员反映某工程项目拖欠工资,多次讨要未果,情绪激动。",
        "要求督促用工方支付工资。",
        Resp::Org(BUILDERS),
        "协调项目总包方垫付工资共计{N}元,已全部发放到位。",
        "经核查,双方系承揽关系而非劳动关系,已告知通过民事诉讼解决。",
        (30000, 150000),
        GroupIncident
    ),
    s!(
        Petition,
        Other,
        "反映低保评定不公",
        "{A}反映本组低保评定未按程序进行,自家困难却未被纳入。",
        "要求重新评定。",
        Resp::Nobody,
        "经入户核查,申请人符合条件,已按程序纳入低保。",
        "经核查,申请人家庭收入超过标准,不予支持,已解释政策。",
        (0, 0),
        AgainstOfficials
    ),
    s!(
        Petition,
        HousingHomestead,
        "反映宅基地审批迟迟未办",
        "{A}反映半年前提交宅基地申请,至今未获审批,影响建房。",
        "要求尽快审批。",
        Resp::Nobody,
        "经协调国土所,申请已完成审批,宅基地批准书已送达。",
        "经核查,申请地块不符合村庄规划,已解释说明并指导重新选址。",
        (0, 0)
    ),
    s!(
        Petition,
        Pollution,
        "反映养殖场臭味扰民多次未解决",
        "{A}反映村旁养殖场粪污处理不当,夏季臭味严重,已多次反映未见改善。",
        "要求养殖场整改或搬迁。",
        Resp::Org(LIVESTOCK_FARMS),
        "协调相关部门督促养殖场建设粪污处理设施,已整改到位。",
        "养殖场已按环评要求整改并验收,搬迁诉求不予支持,已解释说明。",
        (0, 0),
        RepeatPetition
    ),
];

/// Demands (群众诉求).
pub const DEMANDS: &[Scenario] = &[
    s!(
        Demand,
        Other,
        "反映村道路灯损坏,夜间出行不便",
        "{A}反映{V}{G}主干道路灯有{M}盏损坏,夜间出行存在安全隐患。",
        "请求尽快维修路灯。",
        Resp::Nobody,
        "已协调供电所和村委会更换损坏灯具,路灯恢复照明。",
        "路段不属维修范围,已解释说明。",
        (0, 0)
    ),
    s!(
        Demand,
        LandForest,
        "反映支渠堵塞影响春灌",
        "{A}反映{V}{G}支渠淤堵,春灌在即,下游地块无法浇水。",
        "请求组织清淤。",
        Resp::Nobody,
        "已协调水管所和村委会组织清淤,支渠恢复通水。",
        "已纳入年度维修计划,已解释说明。",
        (0, 0)
    ),
    s!(
        Demand,
        PropertyManagement,
        "反映小区垃圾清运不及时",
        "{A}反映所住小区垃圾桶满溢,物业清运不及时,气味难闻。",
        "请求督促物业按时清运。",
        Resp::Org(PROPERTY),
        "已约谈物业公司,增加清运频次,问题已解决。",
        "已解释说明。",
        (0, 0)
    ),
    s!(
        Demand,
        Consumer,
        "反映超市销售过期食品",
        "{A}反映在{B}购买的牛奶已过保质期。",
        "请求查处并退款。",
        Resp::Org(SUPERMARKETS),
        "市场监管所已现场检查,责令下架过期食品,商家为消费者退款并赔偿。",
        "经检查未发现问题,已反馈。",
        (0, 0)
    ),
    s!(
        Demand,
        Pollution,
        "反映夜间施工噪音扰民",
        "{A}反映附近工地夜间施工,噪音影响休息。",
        "请求制止夜间施工。",
        Resp::Nobody,
        "已协调施工单位调整作业时间,夜间停止高噪音作业。",
        "该工程属连续浇筑作业,已办理夜间施工许可,已解释说明。",
        (0, 0)
    ),
    s!(
        Demand,
        Other,
        "反映自来水水压不足",
        "{A}反映{V}{G}近一个月自来水水压很低,高处住户无法用水。",
        "请求检修供水管道。",
        Resp::Nobody,
        "已协调供水站检修加压泵,供水恢复正常。",
        "系用水高峰临时现象,已解释说明。",
        (0, 0)
    ),
    s!(
        Demand,
        HousingHomestead,
        "反映村内危房存在安全隐患",
        "{A}反映{V}{G}一处无人居住的老房墙体开裂,紧邻村道,存在倒塌风险。",
        "请求排除安全隐患。",
        Resp::Nobody,
        "已联系房主拆除危墙并设置警示标志。",
        "已纳入危房改造排查,已解释说明。",
        (0, 0)
    ),
    s!(
        Demand,
        Other,
        "咨询申请残疾人两项补贴",
        "{A}家中有重度残疾人,咨询如何申请残疾人生活补贴和护理补贴。",
        "请求协助办理补贴。",
        Resp::Nobody,
        "已指导申请人准备材料并协助提交申请,补贴已审批发放。",
        "不符合申请条件,已解释说明。",
        (0, 0),
        Vulnerable
    ),
    s!(
        Demand,
        Business,
        "反映农产品收购商压价",
        "{A}反映今年蜜瓜收购价被个别收购商压得很低,希望帮助对接销路。",
        "请求协助拓宽销售渠道。",
        Resp::Nobody,
        "已协调合作社和电商服务站对接收购,帮助销售蜜瓜。",
        "已解释说明市场行情。",
        (0, 0)
    ),
];

/// The matters of a kind.
pub fn scenarios(kind: CaseKind) -> &'static [Scenario] {
    match kind {
        CaseKind::Dispute => DISPUTES,
        CaseKind::Consultation => CONSULTATIONS,
        CaseKind::LegalAid => LEGAL_AID,
        CaseKind::Psych => PSYCH,
        CaseKind::Petition => PETITIONS,
        CaseKind::Demand => DEMANDS,
    }
}

/// Routing notes of the center lead.
pub const ROUTING_NOTES: &[&str] = &[
    "请于3个工作日内接收,及时组织调处并反馈进展。",
    "请尽快联系当事人,依法依规妥善处理。",
    "该事项群众反映强烈,请优先办理。",
    "请按“一事一档”要求办理,办结后及时反馈。",
    "",
];

/// Progress notes of a center mediator.
pub const MEDIATOR_NOTES: &[&str] = &[
    "已电话联系双方当事人,约定到中心调解室面谈。",
    "到{V}现场查看,听取双方陈述并拍照留存。",
    "组织第一次调解,双方分歧较大,约定一周后再次协商。",
    "会同村调委会、网格员入户做双方思想工作。",
    "分别与双方背靠背沟通,释明相关法律规定,双方态度有所缓和。",
    "邀请村里老党员参与调解,双方初步达成一致意见。",
];

/// Progress notes of a department or service room, by department.
pub fn department_notes(dept: super::roster::Dept) -> &'static [&'static str] {
    use super::roster::Dept;
    match dept {
        Dept::Police => &[
            "已出警核实情况,对双方进行批评教育,防止矛盾激化。",
            "已调取现场监控,固定相关证据。",
        ],
        Dept::Judicial => &[
            "已安排司法所工作人员和法律服务工作者参与调解。",
            "已向当事人释明相关法律规定。",
        ],
        Dept::Land => &[
            "已调取土地确权登记资料,组织现场测量。",
            "已会同村委会现场核实地界和占地面积。",
        ],
        Dept::Market => &[
            "已约谈经营者,调取购物凭证和进货台账。",
            "已现场检查,责令经营者限期整改。",
        ],
        Dept::LawSociety => &[
            "已安排法学会法律专家参与会商,提出处理意见。",
            "法律顾问已出具法律意见,供调解参考。",
        ],
        Dept::Tribunal => &[
            "已向当事人释明诉讼风险和诉前调解的优势。",
            "法官已参与指导调解,告知可申请司法确认。",
        ],
        Dept::LegalRoom => &[
            "已审查申请材料,告知所需补充的证明。",
            "已为当事人解答相关法律问题。",
        ],
        Dept::PsychRoom => &[
            "已进行第一次心理疏导,来访者情绪趋于稳定。",
            "已约定下次疏导时间,并建立回访台账。",
        ],
    }
}

/// Notes published to the resident on the public status page.
pub const PUBLIC_NOTES: &[&str] = &[
    "您反映的事项已由承办单位接收,正在办理中。",
    "工作人员已与相关方取得联系,正在协调处理。",
    "已组织调解,正在跟进落实。",
];

/// Reasons a department declines a routing (the case goes back for re-routing).
pub const DECLINE_REASONS: &[&str] = &[
    "该事项不属本单位职责范围,建议转司法所调处。",
    "经初步了解系民间纠纷,建议由中心调解员调解。",
];

/// Reasons a matter is not accepted (不予受理).
pub const NOT_ACCEPTED_REASONS: &[&str] = &[
    "该纠纷已由人民法院立案受理,依法不再受理调解申请,已告知当事人等待法院审理。",
    "所反映事项属于劳动仲裁受理范围,且一方不同意调解,已告知可申请劳动仲裁。",
    "该事项已经信访复查终结,不再受理,已告知当事人。",
];

/// Why an applicant withdrew.
pub const WITHDRAWN: &[&str] = &[
    "当事人双方自行和解,申请人申请撤回。",
    "申请人表示不再主张,申请撤回。",
];

/// How a matter that was explained or not supported ends, for kinds without their own text.
pub const EXPLAINED: &str = "经释法明理,当事人对相关规定表示理解,不再坚持原诉求。";
