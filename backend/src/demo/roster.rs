//! The demo town as data: its villages, areas and groups, the grid roster (47 people), the
//! mediators, the departments and service rooms with their liaisons, and the center's staff.
//! Plain values, no I/O; `write` turns them into rows.

use shared::model::{Category, DepartmentKind, Gender, Quality};

/// The county's name.
pub const COUNTY: &str = "瓜州县";
/// The town's name.
pub const TOWN: &str = "瓜州镇";
/// The town's letter code, used in archive numbers (`GZ-2026-0042`).
pub const TOWN_CODE: &str = "GZ";
/// The town's center as its receipts name it.
pub const CENTER_NAME: &str = "瓜州镇综治中心(矛盾纠纷调处化解中心)";
pub const CENTER_ADDRESS: &str = "瓜州县瓜州镇人民路 12 号 镇政府院内一楼";
pub const CENTER_PHONE: &str = "0937-5512345";
/// The first six digits of ID numbers issued in the county (瓜州县).
pub const COUNTY_ID_PREFIX: &str = "620922";

/// A village (村) or community (社区) with its areas (片); each area lists its groups (组).
#[derive(Debug, Clone, Copy)]
pub struct VillagePlan {
    pub name: &'static str,
    /// The areas, each with its groups' names.
    pub areas: &'static [(&'static str, &'static [&'static str])],
    /// The town leader responsible for the village (包村领导).
    pub leader: &'static str,
    /// Cases this village brings, relative to the others.
    pub weight: u32,
    /// Whether it has residential compounds (小区) with property management.
    pub urban: bool,
}

/// The ten villages of the town. Three villages have two areas, so there are 13 areas (one
/// full-time grid worker each) and 24 groups (one auxiliary grid worker each): with the ten
/// town leaders that is the seed's 47 grid workers.
pub const VILLAGES: &[VillagePlan] = &[
    VillagePlan {
        name: "渠口村",
        areas: &[("一片", &["一组", "二组"]), ("二片", &["三组", "四组"])],
        leader: "王建军",
        weight: 14,
        urban: false,
    },
    VillagePlan {
        name: "三工村",
        areas: &[("一片", &["一组", "二组"]), ("二片", &["三组", "四组"])],
        leader: "陈文斌",
        weight: 13,
        urban: false,
    },
    VillagePlan {
        name: "城北村",
        areas: &[("一片", &["一组", "二组"]), ("二片", &["三组"])],
        leader: "马晓东",
        weight: 12,
        urban: true,
    },
    VillagePlan {
        name: "四工村",
        areas: &[("一片", &["一组", "二组"])],
        leader: "张海燕",
        weight: 9,
        urban: false,
    },
    VillagePlan {
        name: "六工村",
        areas: &[("一片", &["一组", "二组"])],
        leader: "李国华",
        weight: 9,
        urban: false,
    },
    VillagePlan {
        name: "三道沟村",
        areas: &[("一片", &["一组", "二组"])],
        leader: "刘永红",
        weight: 8,
        urban: false,
    },
    VillagePlan {
        name: "南岔村",
        areas: &[("一片", &["一组", "二组"])],
        leader: "赵志刚",
        weight: 8,
        urban: false,
    },
    VillagePlan {
        name: "双塔村",
        areas: &[("一片", &["一组", "二组"])],
        leader: "杨立新",
        weight: 7,
        urban: false,
    },
    VillagePlan {
        name: "桥子村",
        areas: &[("一片", &["一组"])],
        leader: "孙玉兰",
        weight: 6,
        urban: false,
    },
    VillagePlan {
        name: "瓜州社区",
        areas: &[("一片", &["一组", "二组"])],
        leader: "周海峰",
        weight: 14,
        urban: true,
    },
];

/// Names of the full-time grid workers, one per area, in the order of `VILLAGES`' areas.
pub const FULL_TIME_GRID_WORKERS: &[&str] = &[
    "马文辉",
    "李红梅",
    "张志军",
    "王丽萍",
    "赵永军",
    "刘小燕",
    "陈建平",
    "杨春花",
    "郭志强",
    "何晓霞",
    "魏国庆",
    "朱海霞",
    "冯建新",
];

/// Names of the auxiliary grid workers, one per group, in the order of `VILLAGES`' groups.
pub const AUXILIARY_GRID_WORKERS: &[&str] = &[
    "王秀英",
    "李德福",
    "张桂兰",
    "刘占国",
    "马玉花",
    "陈有福",
    "杨桂芳",
    "赵德胜",
    "胡秀珍",
    "孙长海",
    "周玉梅",
    "吴成林",
    "徐春兰",
    "郑宝山",
    "高翠英",
    "田生财",
    "韩凤英",
    "罗志新",
    "宋秀梅",
    "白玉成",
    "曹金花",
    "蒋学文",
    "许彩霞",
    "邓有才",
];

/// A mediator of the center, chosen for prestige, character, knowledge, experience or legal
/// expertise (有威望、有品行、有学识、有经验、有专业法律知识).
#[derive(Debug, Clone, Copy)]
pub struct MediatorPlan {
    pub username: &'static str,
    pub name: &'static str,
    /// Why they were chosen (for the module documentation and the report).
    pub background: &'static str,
    pub specialties: &'static [Category],
    /// The selection standards recorded for them.
    pub qualities: &'static [Quality],
    /// Appointed (聘任) on this day.
    pub appointed: &'static str,
}

/// The center's mediators (`mediator1` … `mediator6`).
pub const MEDIATORS: &[MediatorPlan] = &[
    MediatorPlan {
        username: "mediator1",
        name: "张德明",
        background: "退休村党支部书记,有威望",
        specialties: &[
            Category::Neighbour,
            Category::HousingHomestead,
            Category::LandForest,
        ],
        qualities: &[Quality::Prestige, Quality::Character, Quality::Experience],
        appointed: "2018-04-01",
    },
    MediatorPlan {
        username: "mediator2",
        name: "赵秀兰",
        background: "原镇妇联主席,有品行、有经验",
        specialties: &[Category::MarriageFamily, Category::Neighbour],
        qualities: &[Quality::Character, Quality::Experience, Quality::Prestige],
        appointed: "2019-03-01",
    },
    MediatorPlan {
        username: "mediator3",
        name: "刘建国",
        background: "退休国土干部,熟悉土地政策",
        specialties: &[
            Category::LandForest,
            Category::Expropriation,
            Category::HousingHomestead,
        ],
        qualities: &[Quality::Knowledge, Quality::Experience],
        appointed: "2020-06-15",
    },
    MediatorPlan {
        username: "mediator4",
        name: "杨玉梅",
        background: "原劳动保障所干部,有经验",
        specialties: &[Category::Labour, Category::Contract, Category::Business],
        qualities: &[Quality::Experience, Quality::Knowledge],
        appointed: "2021-01-10",
    },
    MediatorPlan {
        username: "mediator5",
        name: "何志强",
        background: "执业律师,有专业法律知识",
        specialties: &[
            Category::Contract,
            Category::Damages,
            Category::Traffic,
            Category::Medical,
        ],
        qualities: &[Quality::Legal, Quality::Knowledge],
        appointed: "2022-09-01",
    },
    MediatorPlan {
        username: "mediator6",
        name: "马建军",
        background: "社区老党员,有学识",
        specialties: &[
            Category::PropertyManagement,
            Category::Consumer,
            Category::Pollution,
            Category::Other,
        ],
        qualities: &[Quality::Knowledge, Quality::Character],
        appointed: "2023-05-20",
    },
];

/// The village legal helpers (法律明白人), one per village in the order of `VILLAGES`, with
/// what they know best.
pub const LEGAL_HELPERS: &[(&str, &[Category])] = &[
    ("王秀芳", &[Category::MarriageFamily, Category::Neighbour]),
    ("陈立新", &[Category::LandForest]),
    (
        "马丽娟",
        &[Category::PropertyManagement, Category::Consumer],
    ),
    ("李长青", &[Category::HousingHomestead]),
    ("张桂花", &[Category::MarriageFamily]),
    ("赵永福", &[Category::Labour]),
    ("刘海燕", &[Category::Neighbour, Category::Damages]),
    ("杨国庆", &[Category::LandForest, Category::Contract]),
    ("周淑珍", &[Category::MarriageFamily, Category::Neighbour]),
    ("孙志刚", &[Category::Traffic, Category::Damages]),
];

/// Trainings the mediators and legal helpers took part in: (days ago, title, hours).
pub const TRAININGS: &[(u64, &str, u32)] = &[
    (320, "《人民调解法》专题培训", 8),
    (190, "婚姻家庭纠纷调解实务", 6),
    (95, "土地承包经营纠纷政策解读", 4),
    (40, "调解文书制作与司法确认", 4),
];

/// The departments and service rooms cases are routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dept {
    Police,
    Judicial,
    Land,
    Market,
    LawSociety,
    Tribunal,
    LegalRoom,
    PsychRoom,
}

/// A department with its liaison account.
#[derive(Debug, Clone, Copy)]
pub struct DepartmentPlan {
    pub dept: Dept,
    pub name: &'static str,
    pub kind: DepartmentKind,
    pub response_days: u16,
    pub liaison_username: &'static str,
    pub liaison_name: &'static str,
}

/// The departments named in the seed, the people's tribunal and the two service rooms.
pub const DEPARTMENTS: &[DepartmentPlan] = &[
    DepartmentPlan {
        dept: Dept::Police,
        name: "派出所",
        kind: DepartmentKind::Police,
        response_days: 3,
        liaison_username: "police",
        liaison_name: "刘志刚",
    },
    DepartmentPlan {
        dept: Dept::Judicial,
        name: "司法所",
        kind: DepartmentKind::Functional,
        response_days: 3,
        liaison_username: "judicial",
        liaison_name: "周文斌",
    },
    DepartmentPlan {
        dept: Dept::Land,
        name: "国土所",
        kind: DepartmentKind::Functional,
        response_days: 3,
        liaison_username: "land",
        liaison_name: "郭海涛",
    },
    DepartmentPlan {
        dept: Dept::Market,
        name: "市场监管所",
        kind: DepartmentKind::Functional,
        response_days: 3,
        liaison_username: "market",
        liaison_name: "吴静",
    },
    DepartmentPlan {
        dept: Dept::LawSociety,
        name: "县法学会",
        kind: DepartmentKind::Functional,
        response_days: 3,
        liaison_username: "lawsociety",
        liaison_name: "韩立新",
    },
    DepartmentPlan {
        dept: Dept::Tribunal,
        name: "人民法庭",
        kind: DepartmentKind::Functional,
        response_days: 3,
        liaison_username: "tribunal",
        liaison_name: "冯晓东",
    },
    DepartmentPlan {
        dept: Dept::LegalRoom,
        name: "法律服务室",
        kind: DepartmentKind::ServiceRoom,
        response_days: 1,
        liaison_username: "legal",
        liaison_name: "高雅琴",
    },
    DepartmentPlan {
        dept: Dept::PsychRoom,
        name: "心理服务室",
        kind: DepartmentKind::ServiceRoom,
        response_days: 1,
        liaison_username: "psych",
        liaison_name: "林心怡",
    },
];

impl Dept {
    /// The department's plan.
    pub fn plan(self) -> &'static DepartmentPlan {
        DEPARTMENTS
            .iter()
            .find(|d| d.dept == self)
            .unwrap_or(&DEPARTMENTS[0])
    }

    /// The department's name.
    pub fn name(self) -> &'static str {
        self.plan().name
    }
}

/// The center lead (`lead`).
pub const LEAD: (&str, &str) = ("lead", "李振华");
/// The intake clerks (`clerk`, `clerk2`).
pub const CLERKS: &[(&str, &str)] = &[("clerk", "王晓燕"), ("clerk2", "马丽娟")];

/// Common surnames in the county, most frequent first (several appear twice to weigh them).
pub const SURNAMES: &[&str] = &[
    "王", "王", "李", "李", "张", "张", "刘", "刘", "马", "马", "陈", "杨", "赵", "周", "吴", "徐",
    "孙", "朱", "胡", "郭", "何", "高", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "曹", "田",
    "董", "魏", "苏", "吕", "丁", "任", "姚", "卢", "蒋", "崔", "贾", "白", "闫", "段", "雷", "侯",
    "史", "毛", "郝", "武", "薛", "祁", "鲁", "包", "常",
];

/// Given names for men.
pub const MALE_NAMES: &[&str] = &[
    "建国", "志强", "海军", "永福", "国栋", "德林", "军", "伟", "斌", "亮", "振华", "春生", "学军",
    "文明", "有才", "金山", "长青", "小龙", "宏伟", "俊杰", "世杰", "天佑", "红军", "占元", "宝林",
    "新民", "玉堂", "万福", "成刚", "生荣", "兴旺", "家乐",
];

/// Given names for women.
pub const FEMALE_NAMES: &[&str] = &[
    "秀英", "桂兰", "玉梅", "丽", "芳", "静", "海燕", "春梅", "红霞", "晓丽", "凤英", "淑珍",
    "亚琴", "小红", "丽娟", "彩霞", "玉兰", "美玲", "雪梅", "晓燕", "翠花", "金花", "婷", "欣怡",
    "慧敏", "兰英",
];

/// Occupations of people who come to the center, with how often.
pub const OCCUPATIONS: &[(&str, u32)] = &[
    ("农民", 40),
    ("务工人员", 16),
    ("个体工商户", 10),
    ("退休职工", 6),
    ("司机", 5),
    ("教师", 3),
    ("建筑工人", 6),
    ("无业", 5),
    ("学生", 2),
    ("养殖户", 4),
    ("企业职工", 5),
];

/// Ethnicities in the county, with how often.
pub const ETHNICITIES: &[(&str, u32)] = &[("汉族", 90), ("回族", 6), ("蒙古族", 2), ("藏族", 2)];

/// Which way a person's gender goes, for name choice.
pub fn given_names(gender: Gender) -> &'static [&'static str] {
    match gender {
        Gender::Male => MALE_NAMES,
        Gender::Female => FEMALE_NAMES,
    }
}

/// How many grid workers the roster has: town leaders, full-time and auxiliary.
pub fn grid_roster_counts() -> (usize, usize, usize) {
    let leaders = VILLAGES.len();
    let areas = VILLAGES.iter().map(|v| v.areas.len()).sum();
    let groups = VILLAGES
        .iter()
        .flat_map(|v| v.areas.iter())
        .map(|(_, groups)| groups.len())
        .sum();
    (leaders, areas, groups)
}
