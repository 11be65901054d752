//! The product's vocabulary: kinds, categories, channels, risks, stages, results, roles, the
//! org tree, handlers, parties and cases, as they travel between server and browser.
//!
//! Each closed list is a `vocabulary!` enum: a stable wire name (snake_case, also used in the
//! database and in URLs), a Chinese and an English label, `ALL` in display order and `parse`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::deadline::{ClockRule, DueBadge, DueExplained, ExtensionRule};
use crate::lang::Lang;

/// Declares a closed list with wire names and labels in both languages.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire name (also stored in the database and used in URLs).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The label shown to a person.
            pub fn label(self, lang: Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($zh, $en)),+ }
            }

            /// Parses a wire name; `None` for anything else.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        // The schema by hand: the derive does not see the wire names through the macro.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let labels: Vec<String> = vec![$(format!("`{}` {} ({})", $wire, $zh, $en)),+];
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .description(Some(labels.join("; ")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                $name::parse(s).ok_or(UnknownValue)
            }
        }
    };
}

/// A wire name that is not one of a list's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownValue;

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown value")
    }
}

vocabulary! {
    /// What kind of matter a case is; decides its default clock.
    CaseKind {
        Dispute = "dispute", "矛盾纠纷", "Dispute";
        Demand = "demand", "群众诉求", "Demand";
        Petition = "petition", "信访", "Petition";
        LegalAid = "legal_aid", "法律援助", "Legal aid";
        Consultation = "consultation", "法律咨询", "Legal consultation";
        Psych = "psych", "心理服务", "Psychological service";
    }
}

vocabulary! {
    /// The 15 dispute categories of people's-mediation statistics.
    Category {
        MarriageFamily = "marriage_family", "婚姻家庭", "Marriage & family";
        Neighbour = "neighbour", "邻里", "Neighbours";
        HousingHomestead = "housing_homestead", "房屋宅基地", "Housing & homestead";
        Contract = "contract", "合同", "Contract";
        Business = "business", "生产经营", "Production & business";
        Damages = "damages", "损害赔偿", "Damages & injury";
        LandForest = "land_forest", "山林土地", "Land & forest";
        Expropriation = "expropriation", "征地拆迁", "Expropriation & demolition";
        Pollution = "pollution", "环境污染", "Pollution";
        Labour = "labour", "劳动争议", "Labour (wages, work injury)";
        Consumer = "consumer", "消费", "Consumer";
        Medical = "medical", "医疗", "Medical";
        Traffic = "traffic", "道路交通事故", "Road traffic accident";
        PropertyManagement = "property_management", "物业", "Property management";
        Other = "other", "其他", "Other";
    }
}

vocabulary! {
    /// How a matter reached the center.
    Channel {
        Window = "window", "窗口受理", "Reception window";
        VisitorHall = "visitor_hall", "来访大厅", "Visitor hall";
        GridReport = "grid_report", "网格员上报", "Grid worker report";
        Hotline12345 = "hotline_12345", "12345热线转办", "12345 hotline transfer";
        Online = "online", "网上诉求", "Online request";
        VillageCommittee = "village_committee", "村调委会移交", "Village mediation committee";
        CourtDelegated = "court_delegated", "法院委派", "Court delegation";
        PoliceTransfer = "police_transfer", "公安移交", "Police transfer";
        PetitionOffice = "petition_office", "信访部门转办", "Petition office transfer";
        Screening = "screening", "主动排查", "Proactive screening";
    }
}

vocabulary! {
    /// The resident's rating of a closed case's result (满意度), given once through the look-up.
    Satisfaction {
        Satisfied = "satisfied", "满意", "Satisfied";
        Basic = "basically_satisfied", "基本满意", "Basically satisfied";
        Dissatisfied = "dissatisfied", "不满意", "Dissatisfied";
    }
}

impl Satisfaction {
    /// Whether the rating counts towards the satisfaction rate (满意 and 基本满意 do).
    pub fn counts_as_satisfied(self) -> bool {
        matches!(self, Satisfaction::Satisfied | Satisfaction::Basic)
    }
}

/// The resident's rating as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRating {
    pub satisfaction: Satisfaction,
    /// The resident's comment (masked like any free text for those who may not see parties).
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl CaseKind {
    /// What the online request form offers for the kind, in a resident's words.
    pub fn plain(self, lang: Lang) -> &'static str {
        match self {
            CaseKind::Dispute => lang.pick(
                "我和别人有矛盾纠纷,想请中心调解",
                "I have a dispute with someone and want the center to mediate",
            ),
            CaseKind::Demand => lang.pick(
                "我有困难或诉求,想请政府部门帮忙解决",
                "I have a problem or a demand for a government office to solve",
            ),
            CaseKind::Petition => lang.pick(
                "我要信访:反映问题、提出建议或投诉",
                "I want to petition: report a problem, make a suggestion or complain",
            ),
            CaseKind::LegalAid => lang.pick(
                "我请不起律师,想申请法律援助",
                "I cannot afford a lawyer and want legal aid",
            ),
            CaseKind::Consultation => {
                lang.pick("我想咨询一个法律问题", "I have a question about the law")
            }
            CaseKind::Psych => lang.pick(
                "我心里有压力,想找人疏导",
                "I am under strain and want someone to talk to",
            ),
        }
    }
}

/// A set of categories as bits: a county department's line (条线), the categories whose
/// cases it oversees across the towns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct CategorySet(u32);

impl CategorySet {
    fn bit(category: Category) -> u32 {
        let i = Category::ALL
            .iter()
            .position(|c| *c == category)
            .unwrap_or_default();
        1 << i
    }

    /// Whether the set holds `category`.
    pub fn contains(self, category: Category) -> bool {
        self.0 & Self::bit(category) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The categories of the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }
}

impl FromIterator<Category> for CategorySet {
    fn from_iter<I: IntoIterator<Item = Category>>(iter: I) -> Self {
        CategorySet(iter.into_iter().fold(0, |bits, c| bits | Self::bit(c)))
    }
}

impl Category {
    /// What the online request form offers for the category, in everyday words.
    pub fn plain(self, lang: Lang) -> &'static str {
        match self {
            Category::MarriageFamily => lang.pick(
                "家里的事:夫妻、赡养老人、抚养孩子、继承",
                "Family: marriage, caring for parents, children, inheritance",
            ),
            Category::Neighbour => lang.pick(
                "邻居之间:噪音、通行、漏水、占地",
                "Neighbours: noise, right of way, leaks, encroachment",
            ),
            Category::HousingHomestead => lang.pick("房子和宅基地", "A house or a homestead plot"),
            Category::Contract => lang.pick(
                "借钱、买卖、租赁等约定",
                "Loans, sales, leases and other agreements",
            ),
            Category::Business => lang.pick(
                "做生意、种植养殖、合作经营",
                "Running a business, farming, a partnership",
            ),
            Category::Damages => lang.pick(
                "有人受伤或东西被损坏,要求赔偿",
                "Someone was hurt or something damaged, and compensation is wanted",
            ),
            Category::LandForest => lang.pick(
                "承包地、山林、草场、用水",
                "Contracted land, forest, pasture, water",
            ),
            Category::Expropriation => lang.pick(
                "征地、拆迁和补偿",
                "Land taken, demolition and compensation",
            ),
            Category::Pollution => lang.pick(
                "污染:排污、粉尘、噪声、异味",
                "Pollution: waste water, dust, noise, smells",
            ),
            Category::Labour => lang.pick(
                "工资被拖欠、工伤、劳动关系",
                "Unpaid wages, injury at work, employment",
            ),
            Category::Consumer => lang.pick(
                "买东西或花钱买服务上当",
                "A purchase or a paid service gone wrong",
            ),
            Category::Medical => lang.pick("看病、医疗纠纷", "Medical treatment"),
            Category::Traffic => lang.pick("交通事故", "A road accident"),
            Category::PropertyManagement => {
                lang.pick("小区物业和收费", "Estate management and its charges")
            }
            Category::Other => lang.pick("其他事情", "Something else"),
        }
    }
}

vocabulary! {
    /// How risky a matter is judged at intake.
    RiskLevel {
        Low = "low", "低", "Low";
        Medium = "medium", "中", "Medium";
        High = "high", "高", "High";
    }
}

vocabulary! {
    /// Particular risks that change how a matter is handled or shown.
    RiskFlag {
        CriminalRisk = "criminal_risk", "民转刑风险", "Risk of turning criminal";
        GroupIncident = "group_incident", "群体性", "Group incident";
        ExtremeBehaviour = "extreme_behaviour", "极端行为倾向", "Risk of extreme behaviour";
        RepeatPetition = "repeat_petition", "重复信访", "Repeat petition";
        Minors = "minors", "涉及未成年人", "Involves minors";
        Vulnerable = "vulnerable", "涉及困难群体", "Involves vulnerable people";
        AgainstOfficials = "against_officials", "反映公职人员", "Report against officials";
    }
}

impl RiskFlag {
    /// The flags that oblige the center to report the matter to the police station the same
    /// day (人民调解法 Art. 25): a risk of turning criminal, or of a group incident.
    pub const POLICE: [RiskFlag; 2] = [RiskFlag::CriminalRisk, RiskFlag::GroupIncident];

    /// Whether a matter with these flags is reported to the police station.
    pub fn needs_police_notice(flags: &[RiskFlag]) -> bool {
        flags.iter().any(|f| RiskFlag::POLICE.contains(f))
    }
}

vocabulary! {
    /// Where a case is in the closed loop. The board shows the first four; archived cases
    /// have been cancelled from the active ledger (销号).
    Stage {
        Registered = "registered", "登记", "Registered";
        Routed = "routed", "分流", "Routed";
        InHandling = "in_handling", "办理", "In handling";
        Closed = "closed", "结案", "Closed";
        Archived = "archived", "归档", "Archived";
    }
}

impl Stage {
    /// The four columns of the case board, in order.
    pub const BOARD: [Stage; 4] = [
        Stage::Registered,
        Stage::Routed,
        Stage::InHandling,
        Stage::Closed,
    ];

    /// Whether the case is still on the active ledger (its clock matters).
    pub fn is_open(self) -> bool {
        matches!(self, Stage::Registered | Stage::Routed | Stage::InHandling)
    }
}

/// Where one step of the stage row (Registered → … → Archived) stands for a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Done,
    /// Passed over (a matter not accepted goes from registered straight to closed).
    Skipped,
    Current,
    Ahead,
}

impl StepState {
    /// The state of step `step` for a case in `current`; `reached` says whether the step has
    /// a date. The last stage, once reached, is done, not "current": an archived case is
    /// finished.
    pub fn of(step: Stage, current: Stage, reached: bool) -> StepState {
        let pos = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
        match pos(step).cmp(&pos(current)) {
            std::cmp::Ordering::Less if reached => StepState::Done,
            std::cmp::Ordering::Less => StepState::Skipped,
            std::cmp::Ordering::Equal if current == Stage::Archived => StepState::Done,
            std::cmp::Ordering::Equal => StepState::Current,
            std::cmp::Ordering::Greater => StepState::Ahead,
        }
    }

    /// The wire name (`data-state` in the pages).
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::Skipped => "skipped",
            StepState::Current => "current",
            StepState::Ahead => "ahead",
        }
    }
}

vocabulary! {
    /// How a case ended.
    Outcome {
        AgreementWritten = "agreement_written", "达成书面调解协议", "Resolved by written agreement";
        AgreementOral = "agreement_oral", "达成口头协议", "Resolved by oral agreement";
        Supported = "supported", "支持", "Resolved: supported";
        Explained = "explained", "解释说明", "Resolved: explained";
        NotSupported = "not_supported", "不予支持", "Resolved: not supported";
        Terminated = "terminated", "调解终止", "Mediation terminated";
        Withdrawn = "withdrawn", "撤回", "Withdrawn";
        NotAccepted = "not_accepted", "不予受理", "Not accepted";
    }
}

impl Outcome {
    /// Counts as resolved (化解) in the resolution rate.
    pub fn is_resolved(self) -> bool {
        matches!(
            self,
            Outcome::AgreementWritten
                | Outcome::AgreementOral
                | Outcome::Supported
                | Outcome::Explained
                | Outcome::NotSupported
        )
    }

    /// Counts in the resolution rate at all: resolved, or terminated (not resolved).
    /// Withdrawn and not-accepted matters are left out of it.
    pub fn counts_in_rate(self) -> bool {
        self.is_resolved() || self == Outcome::Terminated
    }

    /// Results a handler may close an accepted matter with (not-accepted is an intake decision).
    pub const CLOSING: [Outcome; 7] = [
        Outcome::AgreementWritten,
        Outcome::AgreementOral,
        Outcome::Supported,
        Outcome::Explained,
        Outcome::NotSupported,
        Outcome::Terminated,
        Outcome::Withdrawn,
    ];
}

/// Resolution rate (化解率) = resolved ÷ (resolved + not resolved), in percent; `None` when no
/// closed case counts.
pub fn resolution_rate(outcomes: impl IntoIterator<Item = Outcome>) -> Option<f64> {
    let (mut resolved, mut counted) = (0u64, 0u64);
    for outcome in outcomes {
        if outcome.counts_in_rate() {
            counted += 1;
            if outcome.is_resolved() {
                resolved += 1;
            }
        }
    }
    (counted > 0).then(|| resolved as f64 * 100.0 / counted as f64)
}

vocabulary! {
    /// The route told to the parties when a matter is not accepted or mediation ends.
    LegalRoute {
        Arbitration = "arbitration", "申请仲裁", "Arbitration";
        Administrative = "administrative", "行政处理", "Administrative decision";
        Litigation = "litigation", "提起诉讼", "Litigation";
        Petition = "petition", "信访渠道", "Petition channel";
        OtherAgency = "other_agency", "其他主管机关", "Another competent agency";
    }
}

vocabulary! {
    /// What a user account may do. Permissions are checked by the server on every request.
    Role {
        Admin = "admin", "系统管理员", "Administrator";
        Lead = "lead", "中心负责人", "Center lead";
        Clerk = "clerk", "窗口受理员", "Intake clerk";
        Mediator = "mediator", "调解员", "Mediator";
        Liaison = "liaison", "部门联络员", "Department liaison";
        GridWorker = "grid_worker", "网格员", "Grid worker";
        TownLeader = "town_leader", "包村领导", "Town leader";
        CountyOfficer = "county_officer", "县级政法干部", "County officer";
        CountyDepartment = "county_department", "县级部门", "County department";
    }
}

impl Role {
    /// Roles that work for the whole county, not one town (the administrator and the county's
    /// officers): their accounts have no town.
    pub fn is_county_wide(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::CountyOfficer | Role::CountyDepartment
        )
    }

    /// The county's own roles, who read across towns: the county officer (every case) and a
    /// county department (the cases of its line, see [`CategorySet`]).
    pub fn is_county(self) -> bool {
        matches!(self, Role::CountyOfficer | Role::CountyDepartment)
    }

    /// Roles that may register a new matter.
    pub fn may_register(self) -> bool {
        crate::workflow::Act::Register.who().permits_role(self)
    }
}

vocabulary! {
    /// Why a visitor came to the hall or a window (来访接待).
    VisitPurpose {
        Consultation = "consultation", "咨询", "Consultation";
        Dispute = "dispute", "矛盾纠纷", "Dispute";
        Petition = "petition", "信访", "Petition";
        FollowUp = "follow_up", "跟进已有事项", "Follow-up of a matter";
        Other = "other", "其他", "Other";
    }
}

impl VisitPurpose {
    /// The kind of case a visit of this purpose registers, when it becomes one.
    pub fn case_kind(self) -> CaseKind {
        match self {
            VisitPurpose::Consultation => CaseKind::Consultation,
            VisitPurpose::Petition => CaseKind::Petition,
            VisitPurpose::Dispute | VisitPurpose::FollowUp | VisitPurpose::Other => {
                CaseKind::Dispute
            }
        }
    }
}

vocabulary! {
    /// A legal or psychological service given (the service log).
    ServiceKind {
        LegalConsultation = "legal_consultation", "法律咨询", "Legal consultation";
        LegalAidReferral = "legal_aid_referral", "法律援助转介", "Legal-aid referral";
        DocumentHelp = "document_help", "代写文书", "Help with documents";
        Counselling = "counselling", "心理疏导", "Counselling session";
        CrisisSupport = "crisis_support", "心理危机干预", "Crisis support";
    }
}

impl ServiceKind {
    /// Whether the service is psychological (else legal).
    pub fn is_psychological(self) -> bool {
        matches!(self, ServiceKind::Counselling | ServiceKind::CrisisSupport)
    }
}

vocabulary! {
    /// Which side of a matter a party stands on.
    PartySide {
        Applicant = "applicant", "申请人", "Applicant";
        Respondent = "respondent", "被申请人", "Respondent";
        Representative = "representative", "代理人", "Representative";
    }
}

vocabulary! {
    /// A natural person or an organisation.
    PartyKind {
        Person = "person", "自然人", "Person";
        Organisation = "organisation", "法人或组织", "Organisation";
    }
}

vocabulary! {
    /// Gender as recorded on a party.
    Gender {
        Male = "male", "男", "Male";
        Female = "female", "女", "Female";
    }
}

vocabulary! {
    /// Who covers a case's place on the grid (镇领导包村、专职网格员包片、辅助网格员包组).
    GridDuty {
        Village = "village", "包村领导", "Town leader for the village";
        Area = "area", "专职网格员(包片)", "Grid worker for the area";
        Group = "group", "辅助网格员(包组)", "Auxiliary grid worker for the group";
    }
}

vocabulary! {
    /// What a grid worker's visit (民情走访) found.
    VisitTag {
        Dispute = "dispute", "发现纠纷", "Dispute found";
        Demand = "demand", "群众诉求", "A demand";
        Risk = "risk", "风险隐患", "A risk";
        Nothing = "nothing", "无异常", "Nothing to report";
    }
}

vocabulary! {
    /// What became of a grid worker's visit.
    VisitOutcome {
        Noted = "noted", "已记录", "Noted";
        Resolved = "resolved", "就地化解", "Resolved on the spot";
        Reported = "reported", "上报中心", "Reported to the center";
    }
}

vocabulary! {
    /// Who a person of the mediator roster is.
    RosterKind {
        Mediator = "mediator", "人民调解员", "Mediator";
        LegalHelper = "legal_helper", "法律明白人", "Village legal helper";
    }
}

vocabulary! {
    /// The selection standards the seed names for mediators (有威望、有品行、有学识、有经验、
    /// 有专业法律知识), as recorded qualities.
    Quality {
        Prestige = "prestige", "有威望", "Respected";
        Character = "character", "有品行", "Of good character";
        Knowledge = "knowledge", "有学识", "Learned";
        Experience = "experience", "有经验", "Experienced";
        Legal = "legal", "有专业法律知识", "Legal expertise";
    }
}

/// A person who covers a case's village, area or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridContact {
    pub name: String,
    pub duty: GridDuty,
    /// The unit they cover (渠口村一片).
    pub unit: String,
}

vocabulary! {
    /// Levels of the org tree.
    OrgLevel {
        County = "county", "县", "County";
        Town = "town", "镇", "Town";
        Village = "village", "村(社区)", "Village";
        Area = "area", "片", "Area";
        Group = "group", "组", "Group";
    }
}

vocabulary! {
    /// What sort of unit a department is.
    DepartmentKind {
        ServiceRoom = "service_room", "服务室", "Service room";
        Functional = "functional", "职能部门", "Functional department";
        Police = "police", "派出所", "Police station";
    }
}

vocabulary! {
    /// Entries of a case's timeline (its append-only event log).
    EventKind {
        Registered = "registered", "登记受理", "Registered";
        ClosedOnTheSpot = "closed_on_the_spot", "就地化解", "Resolved on the spot";
        Routed = "routed", "分流批转", "Routed";
        Accepted = "accepted", "接收办理", "Accepted for handling";
        Declined = "declined", "拒收退回", "Declined by the handler";
        Returned = "returned", "撤回重新分流", "Recalled for re-routing";
        NotAccepted = "not_accepted", "不予受理", "Not accepted";
        Closed = "closed", "办结", "Closed";
        Reopened = "reopened", "重新办理", "Reopened";
        Archived = "archived", "归档销号", "Archived";
        ResponseExpired = "response_expired", "逾期未接收退回", "Returned: not accepted in time";
        Escalated = "escalated", "督办提醒", "Escalated";
        Urged = "urged", "督办", "Urged";
        UrgingAcknowledged = "urging_acknowledged", "督办已确认", "Urging acknowledged";
        Note = "note", "办理记录", "Note";
        RepeatLinked = "repeat_linked", "关联重复事项", "Linked as a repeat";
        RepeatUnlinked = "repeat_unlinked", "取消重复关联", "Repeat link removed";
        Suspended = "suspended", "中止办理", "Suspended";
        Resumed = "resumed", "恢复办理", "Resumed";
        ExtensionRequested = "extension_requested", "申请延期", "Extension requested";
        ExtensionApproved = "extension_approved", "延期已批准", "Extension approved";
        ExtensionRefused = "extension_refused", "延期未批准", "Extension refused";
        PoliceNotified = "police_notified", "通报派出所", "Reported to the police station";
        PoliceAcknowledged = "police_acknowledged", "派出所已确认", "Police station acknowledged";
        Transferred = "transferred", "移交他镇中心", "Transferred to another town's center";
        CountyEscalated = "county_escalated", "上报县级", "Escalated to the county";
        CountyInstructed = "county_instructed", "县级批示", "County instruction";
        Message = "message", "沟通消息", "Message";
        Rated = "rated", "群众评价", "Rated by the resident";
        MeetingDecision = "meeting_decision", "联席会议决定", "Joint meeting decision";
        SessionScheduled = "session_scheduled", "安排调解", "Mediation session scheduled";
        SessionCancelled = "session_cancelled", "取消调解", "Mediation session cancelled";
        SessionHeld = "session_held", "调解记录", "Mediation session held";
        ExclusionRecorded = "exclusion_recorded", "调解员回避", "Mediator excluded (回避)";
        AgreementDrafted = "agreement_drafted", "草拟调解协议", "Agreement drafted";
        AgreementSigned = "agreement_signed", "调解协议签名", "Agreement signed";
        AgreementVoided = "agreement_voided", "协议修改,签名作废", "Agreement changed: signatures voided";
        AgreementSealed = "agreement_sealed", "加盖调委会印章", "Committee seal recorded";
        AgreementInEffect = "agreement_in_effect", "调解协议生效", "Agreement in effect";
        OralAgreement = "oral_agreement", "记录口头协议", "Oral agreement recorded";
        ConfirmationRecorded = "confirmation_recorded", "司法确认", "Judicial confirmation recorded";
        PerformanceRecorded = "performance_recorded", "协议履行情况", "Performance recorded";
        FollowUpRecorded = "follow_up_recorded", "回访", "Follow-up visit recorded";
    }
}

vocabulary! {
    /// Why a case's clock is suspended (中止).
    SuspendReason {
        WaitingParty = "waiting_party", "等待当事人", "Waiting for a party";
        Hearing = "hearing", "等待听证或开庭", "Waiting for a hearing";
        Appraisal = "appraisal", "鉴定评估", "Expert appraisal";
        Other = "other", "其他", "Other";
    }
}

vocabulary! {
    /// Where an extension request stands.
    ExtensionStatus {
        Pending = "pending", "待审批", "Awaiting the lead";
        Approved = "approved", "已批准", "Approved";
        Refused = "refused", "未批准", "Refused";
    }
}

/// A unit of the org tree: county → town → village → area → group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: OrgLevel,
    pub name: String,
}

/// A department or service room cases can be routed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub kind: DepartmentKind,
    /// Working days it has to accept or decline a routing.
    pub response_days: u16,
}

/// Who handles a case: a center mediator (a user) or a department. On the wire and in URLs it
/// is one string, `mediator:12` or `department:3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HandlerRef {
    Mediator(i64),
    Department(i64),
}

impl fmt::Display for HandlerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerRef::Mediator(id) => write!(f, "mediator:{id}"),
            HandlerRef::Department(id) => write!(f, "department:{id}"),
        }
    }
}

impl FromStr for HandlerRef {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        let (kind, id) = s.split_once(':').ok_or(UnknownValue)?;
        let id: i64 = id.parse().map_err(|_| UnknownValue)?;
        if id <= 0 {
            return Err(UnknownValue);
        }
        match kind {
            "mediator" => Ok(HandlerRef::Mediator(id)),
            "department" => Ok(HandlerRef::Department(id)),
            _ => Err(UnknownValue),
        }
    }
}

impl Serialize for HandlerRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HandlerRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown handler `{s}`: expected mediator:<id> or department:<id>"
            ))
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for HandlerRef {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^(mediator|department):[1-9][0-9]{0,17}$"))
            .description(Some(
                "Who handles a case: `mediator:<user id>` or `department:<department id>`.",
            ))
            .examples([serde_json::json!("mediator:3")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for HandlerRef {}

/// A handler as offered in the routing dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handler {
    pub handler: HandlerRef,
    pub name: String,
    /// Mediator specialties, or the department's kind.
    pub specialties: Vec<Category>,
    pub department_kind: Option<DepartmentKind>,
    /// Open cases it handles now.
    pub open_cases: u32,
}

/// The signed-in user, as the browser knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The town whose center the user works for.
    pub town_id: i64,
    /// For department liaisons: their department.
    pub department_id: Option<i64>,
    /// For grid workers and town leaders: the unit they are responsible for.
    pub org_unit_id: Option<i64>,
    /// A liaison of the town's police station (receives the risk reports).
    #[serde(default)]
    pub police: bool,
    /// A county department's line: the categories whose cases it oversees in every town.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<Category>,
    /// Signed in with a password the administrator issued: nothing but changing it (and
    /// signing out) is allowed until it is changed.
    #[serde(default)]
    pub must_change_password: bool,
}

/// A party to a case. Personal fields are masked (`masked = true`) for roles that may not see
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    pub side: PartySide,
    pub kind: PartyKind,
    pub name: String,
    pub gender: Option<Gender>,
    pub ethnicity: Option<String>,
    pub age: Option<u8>,
    pub occupation: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub masked: bool,
}

/// Forms start with an applicant.
impl Default for PartySide {
    fn default() -> Self {
        PartySide::Applicant
    }
}

/// Forms start with a natural person.
impl Default for PartyKind {
    fn default() -> Self {
        PartyKind::Person
    }
}

/// A case as a compact card on the board and in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseCard {
    pub id: i64,
    pub code: String,
    pub summary: String,
    pub kind: CaseKind,
    pub category: Category,
    pub channel: Channel,
    pub village_id: i64,
    pub village: String,
    pub risk: RiskLevel,
    pub stage: Stage,
    pub handler: Option<HandlerRef>,
    pub handler_name: Option<String>,
    pub due_on: NaiveDate,
    pub registered_at: DateTime<Utc>,
    pub version: i64,
    /// While routed and not yet accepted: the handler's last day to answer.
    #[serde(default)]
    pub awaiting_until: Option<NaiveDate>,
    /// Back from a handler (declined, or not answered in time), until routed again.
    #[serde(default)]
    pub returned: Option<ReturnNote>,
    /// Urgings (督办) the handler has not acknowledged.
    #[serde(default)]
    pub open_urgings: u32,
    /// While suspended (中止): the day the clock stopped.
    #[serde(default)]
    pub suspended_on: Option<NaiveDate>,
    /// An extension request waits for the lead.
    #[serde(default)]
    pub extension_pending: bool,
    /// A risk report to the police station that the station has not acknowledged.
    #[serde(default)]
    pub police_pending: bool,
    /// The highest escalation past the handler (督办升级) while the case is open.
    #[serde(default)]
    pub escalation: Option<Escalation>,
    /// The cooperating units' names (联合调处), beside the lead handler.
    #[serde(default)]
    pub cooperating_names: Vec<String>,
    /// The code of the earlier case this one repeats (重复), if linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<String>,
    /// The town whose center has the case (the county board shows it on every card).
    #[serde(default)]
    pub town_id: i64,
    /// Escalated to the county (上报县级) and not yet answered with an instruction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub county_pending: bool,
    /// The name its category had when it was registered, if the administrator had renamed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<crate::categories::CategoryName>,
}

vocabulary! {
    /// The board's ready-made views (a filter each; see `shared::api::CaseFilter::preset`).
    BoardView {
        Mine = "mine", "我的案件", "My cases";
        Overdue = "overdue", "已逾期", "Overdue";
        Awaiting = "awaiting", "待接收", "Awaiting acceptance";
        Escalated = "escalated", "已升级", "Escalated";
        Urged = "urged", "督办未确认", "Urged, not acknowledged";
    }
}

vocabulary! {
    /// The order of the case list (`GET /api/cases?sort=`) and of the ledger export.
    CaseSort {
        Newest = "newest", "最新登记在前", "Newest first";
        Oldest = "oldest", "最早登记在前", "Oldest first";
        Due = "due", "期限最近在前", "Nearest deadline first";
        Closed = "closed", "最近结案在前", "Latest closed first";
        Code = "code", "按编号", "By code";
    }
}

vocabulary! {
    /// How a closed case counts in the resolution rate (化解率 = resolved ÷ (resolved + not
    /// resolved)): withdrawn and not-accepted matters are not counted at all.
    Resolution {
        Resolved = "resolved", "已化解", "Resolved";
        Unresolved = "unresolved", "未化解", "Not resolved";
        Uncounted = "uncounted", "不计入化解率", "Not counted in the rate";
    }
}

impl Resolution {
    /// The class of a result.
    pub fn of(outcome: Outcome) -> Resolution {
        if outcome.is_resolved() {
            Resolution::Resolved
        } else if outcome.counts_in_rate() {
            Resolution::Unresolved
        } else {
            Resolution::Uncounted
        }
    }

    /// The results of this class.
    pub fn outcomes(self) -> Vec<Outcome> {
        Outcome::ALL
            .iter()
            .copied()
            .filter(|o| Resolution::of(*o) == self)
            .collect()
    }
}

vocabulary! {
    /// Whether a closed case was closed by its due date (the day itself included).
    Timeliness {
        OnTime = "on_time", "按期办结", "Closed on time";
        Late = "late", "超期办结", "Closed late";
    }
}

vocabulary! {
    /// Why a case is on a joint meeting's agenda (联席会议议题).
    AgendaReason {
        Overdue = "overdue", "超期未办结", "Overdue";
        HighRisk = "high_risk", "高风险", "High risk";
        DeclinedTwice = "declined_twice", "两次以上被拒收", "Declined twice or more";
        Escalated = "escalated", "已升级督办", "Escalated";
        UnresolvedSession = "unresolved_session", "调解未果", "Unresolved after a session";
        Added = "added", "负责人列入", "Added by the lead";
    }
}

vocabulary! {
    /// Where a joint meeting stands.
    MeetingStatus {
        Scheduled = "scheduled", "待召开", "Scheduled";
        Held = "held", "已召开", "Held";
    }
}

vocabulary! {
    /// What a room of the center is for (rooms are data, managed by the administrator).
    RoomKind {
        Mediation = "mediation", "调解室", "Mediation room";
        Docking = "docking", "诉调对接室", "Litigation-mediation docking room";
        LegalService = "legal_service", "法律服务室", "Legal-service room";
        Window = "window", "接待窗口", "Reception window";
    }
}

vocabulary! {
    /// Where a mediation session stands.
    SessionStatus {
        Scheduled = "scheduled", "待调解", "Scheduled";
        InProgress = "in_progress", "调解中", "In progress";
        Ended = "ended", "已结束", "Ended";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

vocabulary! {
    /// How a mediation session ended.
    SessionOutcome {
        Agreement = "agreement", "达成调解协议", "Agreement reached";
        Continued = "continued", "择期继续调解", "To be continued";
        Terminated = "terminated", "调解终止", "Mediation terminated";
    }
}

vocabulary! {
    /// A party's check-in at a session.
    Attendance {
        Pending = "pending", "未签到", "Not checked in";
        Present = "present", "到场", "Present";
        Absent = "absent", "缺席", "Absent";
        Represented = "represented", "委托代理人到场", "Represented";
    }
}

vocabulary! {
    /// The form a mediation agreement takes (人民调解法 第二十八条).
    AgreementForm {
        Written = "written", "书面调解协议", "Written agreement";
        Oral = "oral", "口头调解协议", "Oral agreement";
    }
}

vocabulary! {
    /// Where a written agreement stands.
    AgreementStatus {
        Draft = "draft", "草拟中", "Being drafted";
        Signing = "signing", "签署中", "Being signed";
        InEffect = "in_effect", "已生效", "In effect";
    }
}

vocabulary! {
    /// How a signatory signed: on the screen, or a fingerprint taken on the paper copy (按指印).
    SignMethod {
        Drawn = "drawn", "手写签名", "Signed on the screen";
        Fingerprint = "fingerprint", "按指印(纸面)", "Fingerprint on paper";
    }
}

vocabulary! {
    /// Whether the parties did what the agreement says.
    Performance {
        Performed = "performed", "已履行", "Performed";
        Partly = "partly", "部分履行", "Partly performed";
        NotPerformed = "not_performed", "未履行", "Not performed";
    }
}

vocabulary! {
    /// The court's ruling on an application for judicial confirmation (司法确认).
    ConfirmationRuling {
        Confirmed = "confirmed", "裁定确认有效", "Confirmed valid";
        Rejected = "rejected", "裁定驳回申请", "Application rejected";
    }
}

vocabulary! {
    /// How a follow-up visit (回访) reached the parties.
    FollowUpWay {
        Phone = "phone", "电话回访", "By telephone";
        Visit = "visit", "上门回访", "Home visit";
        AtCenter = "at_center", "来中心回访", "At the center";
    }
}

vocabulary! {
    /// The three kinds of mediation that 三调对接 joins up.
    MediationKind {
        People = "people", "人民调解", "People's mediation";
        Administrative = "administrative", "行政调解", "Administrative mediation";
        Judicial = "judicial", "司法调解", "Judicial mediation";
    }
}

impl BoardView {
    /// Whether the view is offered to `role`: "my cases" only to those who handle cases.
    pub fn offered_to(self, role: Role) -> bool {
        match self {
            BoardView::Mine => matches!(role, Role::Mediator | Role::Liaison),
            _ => true,
        }
    }
}

vocabulary! {
    /// How far an overdue case has been escalated past its handler (the supervisor's steps).
    Escalation {
        Lead = "overdue", "已升级至中心", "Escalated to the center";
        TownLeader = "overdue_7", "已升级至镇领导", "Escalated to the town leader";
    }
}

vocabulary! {
    /// What a notification is about.
    NotificationKind {
        Routed = "routed", "新分派案件", "Case routed to you";
        Accepted = "accepted", "已接收", "Accepted";
        Declined = "declined", "拒收退回", "Declined";
        ResponseExpired = "response_expired", "逾期未接收", "Not accepted in time";
        DueSoon = "due_soon", "即将到期", "Due soon";
        Overdue = "overdue", "已逾期", "Overdue";
        OverdueWeek = "overdue_7", "逾期超过7天", "Overdue by 7 days";
        Urged = "urged", "督办", "Urged";
        UrgingAcknowledged = "urging_acknowledged", "督办已确认", "Urging acknowledged";
        Note = "note", "新办理记录", "New progress note";
        Message = "message", "新消息", "New message";
        Suspended = "suspended", "案件中止", "Case suspended";
        ExtensionRequested = "extension_requested", "延期申请", "Extension requested";
        ExtensionDecided = "extension_decided", "延期审批结果", "Extension decided";
        PoliceNotice = "police_notice", "风险通报", "Risk report from the center";
        PoliceAcknowledged = "police_acknowledged", "派出所已确认通报", "Police acknowledged the report";
        OnlineRequest = "online_request", "新网上诉求", "New online request";
        Rated = "rated", "群众不满意", "A resident was dissatisfied";
        SessionScheduled = "session_scheduled", "安排您主持调解", "A session for you to mediate";
        SessionCancelled = "session_cancelled", "调解已取消", "A session was cancelled";
        ConfirmationDue = "confirmation_due", "司法确认申请期限将至", "Judicial confirmation window closing";
        PerformanceDue = "performance_due", "协议履行期限已到", "Agreement's performance deadline reached";
        FollowUpDue = "follow_up_due", "回访到期", "A follow-up visit is due";
        FollowUpDissatisfied = "follow_up_dissatisfied", "回访不满意", "A follow-up found the parties dissatisfied";
        TransferredIn = "transferred_in", "他镇移交案件", "A case transferred from another town";
        TransferredOut = "transferred_out", "案件已移交他镇", "A case transferred to another town";
        CountyEscalated = "county_escalated", "乡镇上报县级", "A town escalated a case to the county";
        CountyInstructed = "county_instructed", "县级批示", "The county's instruction on a case";
    }
}

/// A notification to one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub case_id: Option<i64>,
    pub case_code: Option<String>,
    pub kind: NotificationKind,
    /// The particulars: the unit, the reason, the due date (never a party's personal data).
    pub text: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// A text message queued for a resident, for an operator's gateway to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub case_id: Option<i64>,
    pub phone: String,
    pub text: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// An urging (督办单): what the lead asks of the handler, by when, and the acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Urging {
    pub id: i64,
    pub what: String,
    pub due_on: NaiveDate,
    pub by: String,
    pub at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A suspension of a case's clock: from a day up to the day before it resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suspension {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    /// The day it resumed (`None` while suspended).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<NaiveDate>,
    pub reason_kind: SuspendReason,
    pub reason: String,
    pub by: String,
    pub resumed_by: Option<String>,
}

/// An extension of a case's clock, asked by the handler and decided by the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    pub id: i64,
    /// Days asked, in the clock's unit.
    pub days: u32,
    pub reason: String,
    /// Both parties consented (people's mediation needs it).
    pub consent: bool,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub status: ExtensionStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The lead's note on the decision.
    pub decision: Option<String>,
}

/// A risk report to the police station (民转刑 or group-incident risk), and its
/// acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoliceNotice {
    pub id: i64,
    pub case_id: i64,
    pub case_code: String,
    /// The case's summary, personal names masked.
    pub summary: String,
    pub village: String,
    pub risk: RiskLevel,
    pub risk_flags: Vec<RiskFlag>,
    /// The station told (`None`: the town has no police station on record).
    pub department: Option<String>,
    pub at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Who sent a case back to the center, and why (`None`: nobody answered in time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnNote {
    pub by: String,
    pub reason: Option<String>,
}

impl CaseCard {
    /// The deadline badge on a given day.
    pub fn badge(&self, today: NaiveDate) -> DueBadge {
        DueBadge::for_case(self.stage, self.due_on, today)
    }

    /// Whether the case stands escalated on `today`: the supervisor took it past its handler,
    /// and it is still overdue (an extension, a suspension or closing ends that).
    pub fn is_escalated(&self, today: NaiveDate) -> bool {
        self.escalation.is_some()
            && self.stage.is_open()
            && self.suspended_on.is_none()
            && self.due_on < today
    }
}

/// Everything about one case, as the case page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    pub id: i64,
    pub code: String,
    pub town_id: i64,
    pub kind: CaseKind,
    pub category: Category,
    pub channel: Channel,
    pub risk: RiskLevel,
    pub risk_flags: Vec<RiskFlag>,
    pub summary: String,
    pub facts: String,
    pub request: String,
    pub village_id: i64,
    pub area_id: Option<i64>,
    pub group_id: Option<i64>,
    /// "Village / area / group", names joined for display.
    pub place: String,
    pub stage: Stage,
    pub handler: Option<HandlerRef>,
    pub handler_name: Option<String>,
    pub cooperating: Vec<HandlerRef>,
    pub outcome: Option<Outcome>,
    pub outcome_summary: Option<String>,
    pub route_told: Option<LegalRoute>,
    pub archive_no: Option<String>,
    pub clock: ClockRule,
    pub due_on: NaiveDate,
    /// How the due date came about, for the case page.
    pub due_explained: DueExplained,
    /// While routed and not yet accepted: the handler's last day to answer.
    pub awaiting_until: Option<NaiveDate>,
    /// Back from a handler, until routed again.
    pub returned: Option<ReturnNote>,
    /// The lead's urgings (督办单), oldest first.
    pub urgings: Vec<Urging>,
    /// The clock's suspensions, oldest first.
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
    /// Extension requests, oldest first.
    #[serde(default)]
    pub extensions: Vec<Extension>,
    /// What the track allows in extensions.
    pub extension_rule: ExtensionRule,
    /// The risk report to the police station, if the matter needed one.
    #[serde(default)]
    pub police_notice: Option<PoliceNotice>,
    pub registered_at: DateTime<Utc>,
    pub registered_by: String,
    pub routed_at: Option<DateTime<Utc>>,
    pub handling_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    /// The resident's rating of the result, once given through the look-up.
    #[serde(default)]
    pub rating: Option<CaseRating>,
    pub parties: Vec<Party>,
    /// Whether personal data in `parties` is masked for this reader.
    pub parties_masked: bool,
    /// The earlier case this one repeats (重复), if linked.
    #[serde(default)]
    pub repeat_of: Option<crate::repeats::CaseRef>,
    /// The later cases linked as repeats of this one, oldest first.
    #[serde(default)]
    pub repeated_by: Vec<crate::repeats::CaseRef>,
    /// Who covers the case's place: the village's town leader, the area's and the group's
    /// grid workers.
    #[serde(default)]
    pub grid: Vec<GridContact>,
    /// The town whose center has the case.
    #[serde(default)]
    pub town: String,
    /// Its escalations to the county (上报县级), oldest first, with the county's answers.
    #[serde(default)]
    pub county: Vec<crate::county::CountyEscalation>,
    /// The name its category had when it was registered, if the administrator had renamed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<crate::categories::CategoryName>,
    pub version: i64,
}

impl CaseDetail {
    /// The deadline badge on a given day.
    pub fn badge(&self, today: NaiveDate) -> DueBadge {
        DueBadge::for_case(self.stage, self.due_on, today)
    }
}

/// One entry of a case's append-only event log (its timeline and audit trail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub actor_role: Role,
    pub kind: EventKind,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    /// Free text: the note, the reason, the result summary.
    pub text: Option<String>,
    /// Extra facts of the event, as labelled key/value pairs (handler name, result, route…).
    pub details: Vec<(String, String)>,
    /// Whether residents see it on the public status page.
    pub public: bool,
    /// Recorded by the system (the supervisor, or a resident through the public pages) rather
    /// than by a signed-in person: `actor_role` means nothing then.
    #[serde(default)]
    pub by_system: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_for_every_value() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
            let json = serde_json::to_string(c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Category::ALL.len(), 15);
        assert_eq!(CaseKind::ALL.len(), 6);
        assert!(Stage::parse("done").is_none());
    }

    #[test]
    fn handler_refs_parse_and_print_one_string() {
        assert_eq!("mediator:12".parse(), Ok(HandlerRef::Mediator(12)));
        assert_eq!("department:3".parse(), Ok(HandlerRef::Department(3)));
        assert_eq!(HandlerRef::Department(3).to_string(), "department:3");
        assert!("mediator:".parse::<HandlerRef>().is_err());
        assert!("mediator:-1".parse::<HandlerRef>().is_err());
        assert!("judge:1".parse::<HandlerRef>().is_err());
        assert!(serde_json::from_str::<HandlerRef>("\"clerk:1\"").is_err());
    }

    #[test]
    fn resolution_rate_counts_terminated_as_not_resolved_and_ignores_withdrawn() {
        let outcomes = [
            Outcome::AgreementWritten,
            Outcome::Explained,
            Outcome::Terminated,
            Outcome::Withdrawn,
            Outcome::NotAccepted,
        ];
        let rate = resolution_rate(outcomes).unwrap_or_default();
        assert!((rate - 66.666).abs() < 0.01, "{rate}");
        assert_eq!(resolution_rate([Outcome::Withdrawn]), None);
    }

    #[test]
    fn steps_before_the_stage_are_done_or_skipped_after_it_ahead_and_archived_is_finished() {
        assert_eq!(
            StepState::of(Stage::Registered, Stage::InHandling, true),
            StepState::Done
        );
        assert_eq!(
            StepState::of(Stage::Routed, Stage::Closed, false),
            StepState::Skipped
        );
        assert_eq!(
            StepState::of(Stage::InHandling, Stage::InHandling, true),
            StepState::Current
        );
        assert_eq!(
            StepState::of(Stage::Closed, Stage::Closed, true),
            StepState::Current
        );
        assert_eq!(
            StepState::of(Stage::Archived, Stage::Closed, false),
            StepState::Ahead
        );
        assert_eq!(
            StepState::of(Stage::Archived, Stage::Archived, true),
            StepState::Done
        );
    }
}
