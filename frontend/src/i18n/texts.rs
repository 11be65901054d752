//! Every fixed string of the interface, in Chinese (the default) and English. Labels of the
//! product's vocabulary (kinds, stages, roles…) come from `shared`'s `.label(lang)` instead.

use shared::Lang;

/// Declares the catalog: one variant per string, with its Chinese and English text.
macro_rules! texts {
    ($($name:ident => $zh:literal, $en:literal;)+) => {
        /// A string of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum T {
            $($name,)+
        }

        impl T {
            /// Every string, for the catalog's own tests.
            pub const ALL: &'static [T] = &[$(T::$name),+];

            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match self {
                    $(T::$name => lang.pick($zh, $en),)+
                }
            }
        }
    };
}

texts! {
    // The frame.
    AppName => "综治中心案件管理", "Concord case management";
    AppSubtitle => "矛盾纠纷调处化解", "Dispute resolution center";
    NavBoard => "案件看板", "Case board";
    NavRegister => "登记受理", "Register";
    NavStatus => "进度查询", "Status lookup";
    MainNav => "主导航", "Main navigation";
    Logout => "退出", "Sign out";
    SignIn => "登录", "Sign in";
    Language => "语言", "Language";
    SwitchTo => "English", "中文";
    SkipToContent => "跳到正文", "Skip to content";
    Loading => "加载中…", "Loading…";
    Retry => "重试", "Try again";
    PageNotLoaded => "这一页未能加载。", "This page could not be loaded.";
    PageNotLoadedWhy => "可能是网络中断,或系统刚刚更新。请重试;仍不行时请刷新页面。", "The network may have dropped, or Concord was just updated. Try again; if that fails, reload the page.";
    ReloadPage => "刷新页面", "Reload the page";
    Dismiss => "关闭", "Dismiss";
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundBody => "您要找的页面不存在或已移动。", "The page you are looking for does not exist or has moved.";
    BackToBoard => "返回看板", "Back to the board";
    ErrNetwork => "无法连接服务器,请检查网络后重试。", "Cannot reach the server; check the network and try again.";
    ErrDecode => "服务器的回答无法识别,请刷新页面后重试。", "The server's answer could not be read; reload the page and try again.";
    Required => "必填", "required";
    Optional => "可选", "optional";
    Choose => "请选择", "Choose…";
    NoneChosen => "(不选)", "(none)";
    Dash => "—", "—";
    Yes => "是", "Yes";
    No => "否", "No";

    // Sign-in.
    LoginTitle => "工作人员登录", "Staff sign-in";
    LoginIntro => "综治中心、调解员与部门联络员使用。", "For the center's staff, mediators and department liaisons.";
    Username => "用户名", "Username";
    Password => "密码", "Password";
    LoginSubmit => "登录", "Sign in";
    LoggingIn => "正在登录…", "Signing in…";
    LoginPublicHint => "群众查询办理进度无需登录:", "Residents look up their case without an account:";

    // The board.
    BoardTitle => "案件看板", "Case board";
    Filters => "筛选", "Filters";
    FilterKind => "事项类型", "Kind";
    FilterCategory => "类别", "Category";
    FilterVillage => "村(社区)", "Village";
    FilterHandler => "承办", "Handler";
    FilterRisk => "风险", "Risk";
    FilterChannel => "来源", "Channel";
    FilterOverdue => "仅看逾期", "Overdue only";
    FilterMine => "我的案件", "My cases";
    FilterSearch => "搜索", "Search";
    FilterSearchPlaceholder => "编号、摘要、当事人、地点", "Code, summary, party, place";
    FilterSearchPlaceholderOwn => "编号、地点、本人案件", "Code, place, your own cases";
    FilterSearchPlaceholderCode => "编号、地点", "Code or place";
    FilterSearchLimitedHint => "当事人姓名和案情只有有权查看当事人信息的人员可以搜索。", "Only those who may see the parties can search by names and case text.";
    FilterAll => "全部", "All";
    ClearFilters => "清除筛选", "Clear filters";
    ColumnEmpty => "暂无案件", "No cases";
    ColumnEmptyFiltered => "没有符合筛选条件的案件", "No cases match the filters";
    MoveTo => "移至…", "Move to…";
    MoveShort => "移至…", "Move…";
    MoveMenuTitle => "移动案件", "Move case";
    NoMoves => "您不能移动此案件。", "You cannot move this case.";
    DragHandle => "拖动以移动案件", "Drag to move the case";
    Unassigned => "未分配", "Not assigned";
    Saving => "正在保存…", "Saving…";
    BoardLoadFailed => "看板加载失败。", "The board could not be loaded.";
    DropHere => "可放置", "Drop here";
    OpenCase => "查看案件", "Open case";
    ShowFresh => "查看最新内容", "See the current case";
    Refresh => "刷新", "Refresh";

    // Transition dialogs.
    Cancel => "取消", "Cancel";
    Confirm => "确定", "Confirm";
    HandlerLabel => "承办人或承办单位", "Lead handler";
    Mediators => "调解员", "Mediators";
    Departments => "部门与服务室", "Departments & service rooms";
    Cooperating => "协办单位(联合调处)", "Cooperating units (joint mediation)";
    RouteNote => "批转意见", "Note to the handler";
    Reason => "理由", "Reason";
    ReturnReason => "撤回理由", "Why it is recalled";
    AwaitingChip => "待接收", "Awaiting";
    LiveOn => "实时更新", "Live";
    LiveOff => "正在重新连接…", "Reconnecting…";
    NavCalendar => "节假日", "Holidays";
    CalendarTitle => "节假日与调休", "Holidays and make-up working days";
    CalendarYear => "年份", "Year";
    PreviousYear => "上一年", "Previous year";
    NextYear => "下一年", "Next year";
    CalendarHint => "工作日期限按此日历计算:放假日不计,调休上班日照常计入。", "Working-day deadlines count on this calendar: holidays are skipped, make-up working days count.";
    YearEntered => "本年度安排已录入。", "This year's schedule is entered.";
    YearNotEntered => "本年度安排尚未录入。", "This year's schedule is not entered.";
    Date => "日期", "Date";
    DayKindLabel => "类型", "Kind";
    HolidayName => "节日", "Holiday";
    Remove => "删除", "Remove";
    AddDay => "添加一天", "Add a day";
    SaveYear => "保存本年度安排", "Save this year";
    CalendarSaved => "节假日安排已保存,在办案件的期限已重新计算。", "Saved; open cases' deadlines were counted again.";
    NavOpen311 => "对接系统", "Open311 clients";
    Open311Title => "Open311 对接系统", "Open311 clients";
    Open311Hint => "县 12345 热线、城市 App 等其他系统通过 Open311 GeoReport v2 接口提交和查询诉求。每个系统单独签发一个 API 密钥;密钥只在签发时显示一次,可随时吊销,吊销后该系统的提交一律被拒绝。", "Other software — a county hotline, a city app — brings matters in and follows them through Open311 GeoReport v2. Each client gets its own API key, shown once when issued; revoke it at any time and the client's posts are refused from then on.";
    Open311Endpoint => "接口地址:", "Endpoint:";
    Open311Discovery => "服务发现文档", "Service discovery";
    Open311Issue => "签发新密钥", "Issue a key";
    Open311ClientName => "对接系统名称", "Client";
    Open311Batch => "批量模式:提交后返回令牌(token),再凭令牌查询诉求编号", "Batch mode: a post answers with a token, which gives the request id";
    Open311IssueButton => "签发密钥", "Issue the key";
    Open311KeyOnce => "请立即复制并妥善交给对接方:此密钥只显示这一次,系统只保存其摘要。", "Copy this key now and hand it over safely: it is shown only this once, and only its digest is kept.";
    Open311Key => "API 密钥", "API key";
    Open311KeyKept => "已复制,关闭", "Copied — close";
    Open311Clients => "已签发的密钥", "Issued keys";
    Open311None => "尚未签发任何密钥。", "No key has been issued yet.";
    Open311Mode => "模式", "Mode";
    Open311ModeRealtime => "实时", "Realtime";
    Open311ModeBatch => "批量", "Batch";
    Open311Issued => "签发", "Issued";
    Open311Requests => "已提交诉求", "Requests posted";
    Open311State => "状态", "State";
    Open311Active => "有效", "Active";
    Open311RevokedAt => "已吊销于", "Revoked";
    Open311Revoke => "吊销", "Revoke";
    Open311RevokeConfirm => "吊销后该系统无法再提交诉求,确定?", "The client can post no more once revoked. Sure?";
    Open311Revoked => "密钥已吊销。", "The key is revoked.";
    UrgingsTitle => "督办", "Urgings";
    NoUrgings => "尚无督办。", "No urgings.";
    UrgeWhat => "督办事项", "What is asked";
    Urge => "发出督办", "Urge";
    UrgingSent => "督办已发出。", "Urging sent.";
    Acknowledge => "确认收到", "Acknowledge";
    UrgingAcknowledgedNotice => "已确认督办。", "Urging acknowledged.";
    AcknowledgedBy => "已确认:", "Acknowledged by";
    NotAcknowledged => "承办单位尚未确认", "Not acknowledged yet";
    AwaitingLabel => "接收期限", "To accept by";
    ReturnedLabel => "退回", "Returned";
    Notifications => "通知", "Notifications";
    MarkAllRead => "全部已读", "Mark all read";
    NoNotifications => "暂无通知。", "No notifications.";
    NotificationsFailed => "通知加载失败,稍后自动重试。", "Notifications could not be loaded; retrying shortly.";
    UrgedChip => "督办", "Urged";
    RespondBy => "接收期限", "Respond by";
    EscalationLevel => "督办级别", "Level";
    PeopleTold => "通知人数", "People told";
    UrgingDue => "督办期限", "Due by";
    DeclineReason => "拒收理由", "Why it is not for you";
    ReopenReason => "退回重办的理由", "Why it is reopened";
    NotAcceptReason => "不予受理的理由", "Why it is not accepted";
    RouteTold => "告知当事人的途径", "Route told to the parties";
    Outcome => "办理结果", "Result";
    ResultSummary => "结果说明", "Summary of the result";
    Retention => "保管期限", "Retention period";
    ArchiveHint => "归档后案件从在办台账销号,不再显示在看板上。", "Archiving cancels the case from the active ledger; it leaves the board.";
    AcceptHint => "接收后开始办理,时限继续计算。", "Accepting starts the handling; the clock keeps running.";
    HandlersLoading => "正在加载承办单位…", "Loading handlers…";
    HandlersFailed => "承办单位加载失败。", "The handlers could not be loaded.";
    NoHandlers => "没有可选的承办单位。", "No handlers are available.";

    // Intake.
    IntakeTitle => "登记受理", "Register a matter";
    IntakeIntro => "带 * 的为必填项。按 Enter 键可直接登记。", "Fields marked * are required. Press Enter to register.";
    SectionMatter => "事项", "The matter";
    Kind => "事项类型", "Kind";
    Category => "类别", "Category";
    Channel => "来源渠道", "Channel";
    Risk => "风险等级", "Risk level";
    RiskFlags => "风险标记", "Risk flags";
    SectionPlace => "发生地", "Place";
    Village => "村(社区)", "Village";
    Area => "片", "Area";
    Group => "组", "Group";
    SectionParties => "当事人", "Parties";
    Side => "身份", "Side";
    PartyKind => "类型", "Type";
    Name => "姓名或名称", "Name";
    Gender => "性别", "Gender";
    Age => "年龄", "Age";
    IdNumber => "身份证号", "ID number";
    Phone => "联系电话", "Phone";
    Address => "住址", "Address";
    AddApplicant => "添加申请人", "Add applicant";
    AddRespondent => "添加被申请人", "Add respondent";
    RemoveParty => "删除此行", "Remove row";
    BlankRowsHint => "未填写的当事人行不会保存。", "Rows left blank are not saved.";
    SectionContent => "内容", "Content";
    Summary => "事由摘要(一句话)", "Summary (one line)";
    Facts => "事实与经过", "Facts";
    Request => "当事人诉求", "What the applicant asks for";
    OnTheSpot => "已就地化解(登记并办结)", "Resolved on the spot (register and close)";
    SpotOutcome => "化解结果", "Result";
    SpotSummary => "化解情况", "How it was resolved";
    SaveCase => "登记", "Register";
    SavingCase => "正在登记…", "Registering…";
    FixErrors => "请更正标红的字段。", "Please correct the fields marked in red.";
    OrgFailed => "村组列表加载失败。", "The list of villages could not be loaded.";
    MayNotRegister => "您的角色不能登记案件。", "Your role cannot register cases.";

    // Receipt.
    ReceiptTitle => "受理回执", "Receipt";
    ReceiptCenter => "综治中心(矛盾纠纷调处化解中心)", "Comprehensive governance center";
    ReceiptCode => "案件编号", "Case code";
    ReceiptDate => "登记日期", "Registered on";
    ReceiptKind => "事项类型", "Kind";
    ReceiptHowTo => "如何查询办理进度", "How to follow your matter";
    ReceiptVisit => "访问以下网址:", "Visit:";
    ReceiptEnter => "输入案件编号和申请人手机号后四位即可查询。", "Enter the case code and the last four digits of the applicant's phone.";
    ReceiptKeep => "请妥善保管本回执。", "Please keep this receipt.";
    ReceiptDue => "预计办结日期", "Expected by";
    ReceiptQrAlt => "扫码打开进度查询页(已填好案件编号)", "Scan to open the status page with the case code filled in";
    ReceiptNoPhone => "申请人未留手机号:查询时在“手机号后四位”一栏输入查询码", "No applicant phone was given: in the look-up, enter this query code where the phone's last four digits go:";
    ReceiptPhone => "电话", "Phone";
    ReceiptSpot => "本事项已当场化解并办结。", "This matter was resolved on the spot and is closed.";
    Print => "打印回执", "Print receipt";
    RegisterAnother => "继续登记", "Register another";
    Registered => "登记成功", "Registered";

    // The case page.
    CaseLoadFailed => "案件加载失败。", "The case could not be loaded.";
    Details => "基本信息", "Details";
    Place => "发生地", "Place";
    RegisteredBy => "登记人", "Registered by";
    RegisteredAt => "登记时间", "Registered at";
    PartiesTitle => "当事人", "Parties";
    MaskedNote => "您无权查看完整个人信息,以下为脱敏显示。", "You may not see personal data in full; it is masked.";
    Masked => "已脱敏", "masked";
    NoParties => "没有当事人记录。", "No parties recorded.";
    ClockTitle => "办理时限", "Deadline";
    Track => "时限规则", "Clock";
    DueOn => "到期日", "Due on";
    HandlingTitle => "承办", "Handling";
    ResultTitle => "办理结果", "Result";
    ArchiveNo => "归档号", "Archive number";
    Rating => "群众评价", "Resident's rating";
    RatingComment => "评价意见", "Comment";
    RatedAt => "评价时间", "Rated on";
    TimelineTitle => "办理记录", "Timeline";
    TimelineEmpty => "暂无记录。", "No entries yet.";
    TimelineFailed => "办理记录加载失败。", "The timeline could not be loaded.";
    PublicTag => "公开", "Public";
    InternalTag => "内部", "Internal";
    AddNoteTitle => "添加办理记录", "Add a note";
    NoteText => "记录内容", "Note";
    NotePublic => "向群众公开(显示在进度查询页)", "Publish to the resident (shown on the status page)";
    AddNote => "添加记录", "Add note";
    NoteAdded => "记录已添加。", "The note was added.";
    Actions => "操作", "Actions";
    NoActions => "您当前不能对此案件进行流转操作。", "You cannot move this case now.";
    StageDates => "办理进程", "Progress";
    PreviousHandler => "原承办单位", "Previous handler";

    // The public status page.
    Progress => "办理进度", "Progress";
    NewDueOn => "新期限", "New due date";
    SuspendReasonLabel => "中止原因", "Reason for suspension";
    PausedDays => "中止天数", "Days suspended";
    ExtensionDays => "延期天数", "Days of extension";
    ConsentLabel => "双方当事人同意", "Both parties consent";
    PoliceStation => "派出所", "Police station";
    // Repeat matters (重复信访).
    ChipRepeat => "重复", "Repeat";
    GridCovers => "网格责任人", "Covered by";
    // The reception and service logs.
    NavLogs => "接待服务", "Reception";
    LogsTitle => "来访接待与服务记录", "Reception and services";
    LogsIntro => "每位来访群众、每次法律和心理服务都在此登记;来访可一键登记为案件。", "Every visitor and every legal or psychological service is logged here; a visit becomes a case with one click.";
    LogsPeriod => "登记期间", "Period";
    LogsFrom => "自", "From";
    LogsTo => "至", "To";
    LogTime => "时间", "Time";
    VisitsTitle => "来访登记", "Reception log";
    VisitPlace => "接待地点(窗口、大厅)", "Window or room";
    VisitorHallPlace => "来访大厅", "Visitor hall";
    VisitPurposeLabel => "来访事由", "Purpose";
    VisitPeople => "人数", "People";
    VisitName => "来访人", "Visitor";
    VisitNote => "情况简述", "Notes";
    LinkedCase => "关联案件编号", "Case code";
    LogVisit => "登记来访", "Log the visit";
    NoVisits => "该期间没有来访登记。", "No visits logged in this period.";
    ReceivedBy => "接待人", "Received by";
    GroupVisit => "集体访", "Group visit";
    RegisterFromVisit => "登记为案件", "Register as a case";
    ServicesTitle => "法律与心理服务", "Legal and psychological services";
    ServiceKindLabel => "服务类型", "Service";
    ServicePerson => "服务对象", "Person served";
    ServiceMinutes => "时长(分钟)", "Minutes";
    ServiceGivenBy => "服务人员", "Given by";
    LogService => "记录服务", "Log the service";
    ServiceLogged => "服务已记录。", "Service logged.";
    NoServices => "该期间没有服务记录。", "No services logged in this period.";
    SuggestedMediators => "推荐调解员", "Suggested mediators";
    ExcludedNotSuggested => "回避,不予推荐:", "Under recusal (回避), not suggested:";
    RepeatCheckTitle => "重复事项核查", "Repeat check";
    RepeatCheckIntro => "以下在办或近半年办结的案件,当事人的电话或身份证号与本次相同:", "These open or recently closed cases have a party with the same phone or ID number:";
    RepeatNone => "未发现相同电话或身份证号的在办或近期办结案件。", "No open or recently closed case has a party with these numbers.";
    RepeatChecking => "正在核查相同电话、身份证号……", "Checking for the same phone or ID number…";
    RepeatCheckFailed => "重复核查未能完成:", "The repeat check failed:";
    LinkAsRepeat => "关联为重复", "Link as repeat";
    DifferentMatter => "不是同一事项", "A different matter";
    RepeatPetitionNote => "信访件关联在办事项,登记后将标记为“重复信访”。", "A petition linked to a matter still being handled will be marked as a repeat petition.";
    RepeatMore => "匹配较多,仅显示最近 20 件。", "More matched; the newest 20 are shown.";
    RepeatOf => "重复于", "Repeats";
    RepeatedBy => "重复来访", "Repeated by";
    NotRepeatOf => "判定非同一事项", "Judged a different matter";
    RepeatsTitle => "重复事项", "Repeat matters";
    Unlink => "取消关联", "Remove link";
    RepeatNoLink => "未关联前案。", "Not linked to an earlier case.";
    RepeatMatchedParty => "匹配当事人", "Matching party";
    SuspensionsTitle => "中止与延期", "Suspension and extension";
    SuspendedSince => "中止自", "Suspended since";
    Suspend => "中止办理", "Suspend";
    Resume => "恢复办理", "Resume";
    ResumeNote => "恢复说明(可选)", "What ended the wait (optional)";
    SuspendWhat => "等待什么", "What the case waits for";
    SuspendedNotice => "已中止,期限暂停计算", "Suspended: the clock stands still";
    ResumedNotice => "已恢复办理,期限已重新计算", "Resumed: the due date is counted again";
    NoSuspensions => "未中止过,未申请延期。", "Never suspended, no extension asked.";
    AskExtension => "申请延期", "Ask for an extension";
    ExtensionReason => "延期理由", "Why";
    ExtensionAsked => "延期申请已提交,等待中心负责人审批", "Extension asked: waiting for the center lead";
    Approve => "批准", "Approve";
    Refuse => "不批准", "Refuse";
    DecisionNote => "审批意见(不批准时必填)", "Note (required to refuse)";
    ExtensionDecidedNotice => "已审批延期申请", "Extension decided";
    MessagesTitle => "沟通消息", "Messages";
    MessagePlaceholder => "写给承办人或中心的消息(不对群众公开)", "A message to the handler or the center (not shown to residents)";
    SendMessage => "发送", "Send";
    MessageSent => "消息已发送", "Message sent";
    NoMessages => "暂无消息。", "No messages yet.";
    PoliceNoticeLabel => "风险通报", "Risk report";
    PoliceNoticePending => "已通报派出所,待确认", "Reported to the police station: not yet acknowledged";
    PoliceNoticeNoStation => "本镇未登记派出所,请电话通报", "No police station on record: report it by telephone";
    PoliceAckBy => "派出所已确认", "Acknowledged by the station";
    NavPolice => "风险通报", "Risk reports";
    PoliceTitle => "风险通报(民转刑、群体性)", "Risk reports (criminal or group-incident risk)";
    PoliceEmpty => "暂无风险通报。", "No risk reports.";
    PoliceAcknowledge => "确认收到", "Acknowledge";
    PoliceAcknowledgedNotice => "已确认风险通报", "Report acknowledged";
    ChipSuspended => "中止", "Suspended";
    ChipExtension => "延期待批", "Extension asked";
    ChipPolice => "待派出所确认", "Police to acknowledge";
    ChipOnline => "网上", "Online";
    OnlineTitle => "群众网上反映的诉求", "Brought by a resident online";
    StatusAgain => "查询其他案件", "Look up another case";
    ChipEscalated => "已升级", "Escalated";
    ChipNew => "新", "New";
    NewCaseTitle => "新分派或新退回的案件,打开后不再标记", "Newly routed or returned to you: marked until you open it";
    ViewsLabel => "视图", "Views";
    ViewAll => "全部案件", "All cases";
    SaveView => "保存为视图", "Save as view";
    ViewName => "视图名称", "View name";
    ViewNamePlaceholder => "如:渠口村督办", "e.g. East village, urged";
    ViewSave => "保存", "Save";
    ViewSaved => "视图已保存", "View saved";
    ViewDeleted => "视图已删除", "View deleted";
    DeleteView => "删除视图", "Delete view";
    ViewsFailed => "视图加载失败", "Views could not be loaded";
    // Joint meetings.
    NavMeetings => "联席会议", "Joint meetings";
    MeetingsTitle => "联席会议", "Joint meetings";
    MeetingsSubtitle => "与各部门定期分析研判矛盾纠纷,决定落实到案件", "Meeting the departments to analyse the disputes; every decision lands on its case";
    MeetingsLoadFailed => "会议加载失败", "The meetings could not be loaded";
    MeetingsEmpty => "还没有联席会议。", "No joint meeting yet.";
    MeetingWhen => "时间", "When";
    MeetingTitleLabel => "会议名称", "Title";
    MeetingPlace => "地点", "Place";
    MeetingDepartments => "邀请部门", "Departments invited";
    MeetingPeople => "邀请人员", "People invited";
    MeetingItems => "议题", "Items";
    MeetingDecisions => "决定", "Decisions";
    MeetingStatusLabel => "状态", "Status";
    MeetingNew => "召集联席会议", "Convene a joint meeting";
    MeetingPeriodFrom => "研判期间自", "Period from";
    MeetingPeriodTo => "至", "to";
    MeetingSchedule => "召集会议", "Convene";
    MeetingScheduled => "会议已召集,议程已按需研判的案件生成", "Convened; the agenda holds the cases that need it";
    MeetingLoadFailed => "会议加载失败", "The meeting could not be loaded";
    MeetingsBack => "全部会议", "All meetings";
    MinutesTitle => "联席会议纪要", "Minutes of the joint meeting";
    MinutesPrint => "打印纪要", "Print the minutes";
    MinutesText => "会议纪要", "Minutes";
    MeetingConvener => "召集人", "Convened by";
    MeetingPeriod => "研判期间", "Period reviewed";
    MeetingAttendedDepartments => "出席部门", "Departments present";
    MeetingAttendedPeople => "出席人员", "People present";
    MeetingAbsent => "缺席", "Absent";
    Agenda => "议程", "Agenda";
    AgendaEmpty => "议程中没有案件。", "Nothing on the agenda.";
    AgendaWhy => "列入原因", "Why";
    AgendaRemove => "移出", "Remove";
    AgendaRemoved => "已移出议程", "Taken off the agenda";
    AgendaAdd => "列入议程", "Add to the agenda";
    AgendaAdded => "已列入议程", "Added to the agenda";
    AgendaAddByCode => "按案件编号列入", "Add a case by its code";
    AgendaCandidates => "其他需研判的案件", "Other cases that need it";
    Decisions => "会议决定", "Decisions";
    DecisionsEmpty => "还没有决定。", "No decision yet.";
    DecisionNew => "记录决定", "Record a decision";
    DecisionCase => "案件", "Case";
    DecisionWho => "责任单位", "Who";
    DecisionWhat => "事项", "What";
    DecisionDue => "完成期限", "By";
    DecisionAs => "落实方式", "Sent as";
    DecisionUrged => "督办承办单位", "Urging to the handler";
    DecisionTask => "记入案件", "Task on the case";
    DecisionRecord => "记录", "Record";
    DecisionRecorded => "决定已记录,并已督办", "Recorded, and sent on";
    Docking => "三调对接", "Three mediations joined up";
    DockingNote => "研判期间内,人民调解、行政调解、司法调解之间移交的事项", "In the period reviewed: matters passed between people's, administrative and judicial mediation";
    DockingKind => "调解类别", "Mediation";
    DockingCame => "移交来", "Came from";
    DockingRouted => "分流至", "Routed to";
    DockingTold => "引导当事人", "Parties told to go";
    MeetingHold => "会议召开", "The meeting held";
    MeetingCame => "出席", "Present";
    MeetingHoldSubmit => "记录会议已召开", "Record the meeting as held";
    MeetingHeldDone => "会议已记录", "The meeting is recorded";
    // The dashboard.
    NavDashboard => "统计分析", "Dashboard";
    DashTitle => "统计分析", "Dashboard";
    DashPrint => "打印报表", "Print report";
    DashLoadFailed => "统计数字加载失败", "The figures could not be loaded";
    DashPeriodLabel => "统计期间", "Period";
    DashFrom => "自", "From";
    DashTo => "至", "To";
    DashPlace => "范围", "Place";
    DashWholeTown => "全镇", "Whole town";
    DashFigures => "主要数字", "Key figures";
    DashReceived => "受理", "Received";
    DashDisputesResolved => "化解矛盾纠纷", "Disputes resolved";
    DashResolutionRate => "化解率", "Resolution rate";
    DashAllRate => "总化解率(各类事项)", "Resolution rate, all matters";
    DashOnTime => "按期办结率", "Closed on time";
    DashSatisfaction => "群众满意率", "Satisfaction";
    DashServices => "法律服务、心理服务", "Legal and psychological services";
    DashServicesNote => "法律援助、法律咨询、心理服务,期间办结", "Legal aid, consultations and counselling closed";
    DashVisitors => "接待群众来访", "Visitors received";
    DashVisitorsNote => "窗口受理和来访大厅登记", "Registered at a window or the visitor hall";
    DashPetitions => "信访事项", "Petitions";
    DashOnTheSpot => "就地化解", "Settled on the spot";
    DashPolice => "涉刑风险移交公安", "Criminal risks reported to the police";
    DashPoliceNote => "防止民转刑", "Keeping disputes from turning criminal";
    DashOverdue => "当前超期", "Overdue now";
    DashTrend => "月度趋势", "Monthly trend";
    DashMonth => "月份", "Month";
    DashClosedShort => "办结", "Closed";
    DashResolvedShort => "化解", "Resolved";
    DashRateShort => "化解率", "Rate";
    DashOnTimeShort => "按期率", "On time";
    DashFollowUpShort => "回访满意率", "Follow-up satisfied";
    DashGroup => "名称", "Name";
    DashNothing => "期间内没有事项。", "Nothing in the period.";
    DashOverdueList => "超期未办结案件", "Overdue cases";
    DashNoOverdue => "没有超期案件。", "No case is overdue.";
    DashDaysOver => "超期", "Over by";
    DashRising => "纠纷上升的村(社区)", "Villages with rising disputes";
    DashNoRising => "没有明显上升的村(社区)。", "No village is rising markedly.";
    DashThisPeriod => "本期", "This period";
    DashPeriodBefore => "上期", "Period before";
    DashChange => "变化", "Change";
    DashNew => "新出现", "New";
    // Conditions the dashboard's links add to the case list.
    FromFigures => "统计条件", "From the dashboard";
    ClosedBetween => "办结期间", "Closed";
    OnlySpot => "就地化解", "Settled on the spot";
    OnlyPolice => "已移交公安", "Reported to the police";
    OnlyServices => "法律、心理服务", "Legal and psychological services";
    OnlyInPerson => "来访(窗口、大厅)", "In person (window, hall)";
    RemoveCondition => "去掉此条件", "Remove this condition";
    // The case list and the ledger.
    NavCases => "案件列表", "Case list";
    CasesTitle => "案件列表", "Case list";
    CasesSubtitle => "本镇全部案件,含已结案和已归档的", "Every case of the town, closed and archived included";
    FilterStage => "阶段", "Stage";
    FilterOutcome => "结果", "Result";
    FilterRating => "满意度", "Satisfaction";
    FilterFrom => "登记日期自", "Registered from";
    FilterTo => "至", "to";
    SortLabel => "排序", "Order";
    ListFilters => "期限、结果与排序", "Period, result and order";
    ColCode => "编号", "Code";
    ColSummary => "案情摘要", "Summary";
    ColCategory => "类别", "Category";
    ColVillage => "村(社区)", "Village";
    ColHandler => "承办", "Handler";
    ColStage => "阶段", "Stage";
    ColRegistered => "登记日期", "Registered";
    ColDue => "办理期限", "Due";
    ClosedOn => "结案于", "Closed";
    ColOutcome => "结果", "Result";
    ColArchive => "归档号", "Archive no.";
    ColRating => "满意度", "Rating";
    CasesEmpty => "没有符合条件的案件。", "No case matches.";
    CasesLoadFailed => "案件列表加载失败", "The case list could not be loaded";
    PagePrev => "上一页", "Previous";
    PageNext => "下一页", "Next";
    PagesNav => "翻页", "Pages";
    ExportTitle => "导出台账", "Export the ledger";
    LedgerFileName => "矛盾纠纷排查化解台账", "ledger";
    ExportHint => "按当前筛选条件导出全部符合的案件(不分页)。", "Exports every case the filters let through (all pages).";
    ExportXlsx => "导出 Excel", "Export Excel";
    ExportCsv => "导出 CSV", "Export CSV";
    ExportMasked => "脱敏导出(隐去姓名、电话、证件号)", "Masked (names, phones and ID numbers hidden)";
    ExportMaskedAlways => "按您的权限,导出的当事人信息已脱敏。", "For your role, the parties are masked in the export.";
    ExportPreparing => "服务器正在生成文件…", "The server is preparing the file…";
    ExportDone => "台账已导出", "Ledger exported";
    ExportFailed => "台账导出失败", "The ledger could not be exported";
    ExportRecorded => "每次导出都会记入审计日志。", "Every export is recorded in the audit log.";
    FiltersButton => "筛选", "Filters";
    // The mediation room.
    NavSessions => "调解日程", "Sessions";
    NavRooms => "调解室", "Rooms";
    SessionsTitle => "调解", "Mediation sessions";
    SessionsEmpty => "还没有安排调解。", "No session scheduled yet.";
    SessionsLoadFailed => "调解信息加载失败", "The sessions could not be loaded";
    SessionLoadFailed => "调解加载失败", "The session could not be loaded";
    SessionSchedule => "安排调解", "Schedule a session";
    SessionScheduled => "调解已安排。", "The session is scheduled.";
    SessionWhen => "调解时间", "When";
    SessionLength => "时长", "Length";
    SessionRoom => "调解室", "Room";
    SessionMediators => "调解员", "Mediators";
    SessionParties => "通知到场的当事人", "Parties invited";
    SessionNotify => "短信通知当事人", "Text the parties (SMS)";
    ChooseOne => "请选择", "Choose…";
    ExclusionsTitle => "回避", "Conflicts of interest (回避)";
    ExclusionsEmpty => "没有需要回避的调解员。", "No mediator is excluded.";
    ExclusionWho => "回避的调解员", "Mediator to exclude";
    ExclusionReason => "回避理由", "Reason";
    ExclusionRecord => "记录回避", "Record the exclusion";
    ExclusionLift => "撤销", "Lift";
    SessionsDayTitle => "调解日程", "The day's sessions";
    SessionDay => "日期", "Day";
    DayBefore => "前一天", "Day before";
    DayAfter => "后一天", "Day after";
    SessionGrouping => "分组方式", "Group by";
    ByRoom => "按调解室", "By room";
    ByMediator => "按调解员", "By mediator";
    DayEmpty => "这一天没有调解。", "No session on this day.";
    DayFree => "空闲", "Free";
    RoomsTitle => "调解室管理", "Rooms";
    RoomsSubtitle => "各乡镇综治中心的调解室、诉调对接室、法律服务室和接待窗口", "Each center's mediation rooms, docking room, legal-service room and reception windows";
    RoomsAdminOnly => "只有系统管理员可以管理调解室。", "Only the administrator manages the rooms.";
    RoomAdd => "添加调解室", "Add a room";
    RoomAdded => "调解室已添加。", "The room is added.";
    RoomTown => "乡镇", "Town";
    RoomName => "名称", "Name";
    RoomKindLabel => "用途", "Kind";
    RoomInUse => "启用", "In use";
    RoomRetire => "停用", "Take out of use";
    RoomRestore => "恢复启用", "Bring back into use";
    SessionExit => "退出调解", "Leave the session";
    SessionNotBegun => "未开始", "Not begun";
    SessionBegin => "开始调解", "Begin the session";
    SessionFacts => "案件情况", "The case at hand";
    SessionEnded => "调解已结束。", "The session has ended.";
    SessionOver => "本次调解已结束", "This session is over";
    SheetSaved => "已保存", "Saved";
    SheetSaving => "正在保存…", "Saving…";
    SheetConflict => "其他设备已修改,请选择", "Changed on another device: choose";
    SheetRefused => "未保存:", "Not saved: ";
    SheetConflictTitle => "记录在另一台设备上被修改", "The record was changed on another device";
    SheetConflictHelp => "本机的记录尚未保存,而服务器上已有另一台设备保存的新版本。请对照后选择保留哪一份;未选择的一份将被替换。", "This tablet's record is not saved, and another device has saved a newer one. Compare them and choose which to keep; the other is replaced.";
    SheetMine => "本机的记录", "This tablet's record";
    SheetTheirs => "另一台设备保存的记录", "Saved from the other device";
    SheetKeepMine => "保留本机的记录", "Keep this tablet's";
    SheetTakeTheirs => "采用另一台设备的记录", "Use the other device's";
    CheckInTitle => "当事人签到", "Check-in";
    RepresentedBy => "到场的代理人", "Representative present";
    ConsentTitle => "权利义务告知", "The parties' rights";
    ConsentRead => "已向当事人宣读并告知", "Read out to the parties";
    RecordTitle => "调解笔录", "Record of the session";
    RecordEmpty => "点下方的发言人开始记录。", "Tap a speaker below to start the record.";
    Mediator => "调解员", "Mediator";
    OtherSpeaker => "其他参加人", "Other participant";
    Speaker => "发言人", "Speaker";
    SpeakerLabel => "发言人身份", "Who is speaking";
    TurnText => "发言内容", "What was said";
    TurnRemove => "删除", "Remove";
    EndTitle => "结束调解", "End the session";
    EndOutcome => "调解结果", "Outcome";
    EndRoute => "告知当事人的途径", "Route told to the parties";
    EndNote => "备注", "Note";
    EndSubmit => "结束本次调解", "End this session";
    EndWaitSaved => "记录保存后才能结束调解。", "The record must be saved before the session ends.";
    NextSession => "下次调解", "Next session";
    NextSessionOpen => "打开下次调解", "Open the next session";
    BackToCase => "返回案件", "Back to the case";
    // The county.
    NavCounty => "县级汇总", "County";
    CountyTitle => "全县矛盾纠纷汇总", "The county by town";
    CountyLoadFailed => "县级汇总加载失败", "The county's figures could not be loaded";
    CountyTown => "乡镇", "Town";
    CountyOpen => "在办", "Open";
    CountyOverdue => "逾期", "Overdue";
    CountyDueSoon => "3日内到期", "Due in 3 days";
    CountyAwaitingArchive => "待归档", "To archive";
    CountyPending => "待县级批示", "Awaiting the county";
    CountyRegistered => "期间受理", "Registered";
    CountyClosed => "期间办结", "Closed";
    CountyResolvedPct => "化解率", "Resolved";
    CountyOnTimePct => "按期办结率", "On time";
    CountyOpenBoard => "查看看板", "Open its board";
    CountyPeriodHint => "受理、办结和两个比率按所选期间统计;在办、逾期等为当前数。", "Registered, closed and the two rates count the chosen period; open, overdue and the rest are as of now.";
    TownLabel => "所属乡镇", "Town";
    TownFilterAll => "全部乡镇", "Every town";
    CountyFilter => "待县级批示", "Awaiting the county";
    CountyChip => "已上报县级", "Escalated to the county";
    CountyPanelTitle => "移交与上报", "Transfer and escalation";
    CountyEscalationsTitle => "县级上报与批示", "Escalations to the county";
    CountyNone => "未上报县级。", "Not escalated to the county.";
    CountyWaiting => "等待县级批示", "Waiting for the county's instruction";
    CountyInstructionLabel => "县级批示", "County instruction";
    TransferOpen => "移交他镇中心", "Transfer to another town";
    TransferTitle => "移交他镇中心(不属本镇管辖)", "Transfer to another town's center (not this town's jurisdiction)";
    TransferTown => "接收乡镇", "Receiving town";
    TransferVillage => "所在村(社区)", "Village";
    TransferReason => "移交理由", "Why it is the other town's";
    TransferSubmit => "确认移交", "Transfer";
    TransferHint => "移交后案件在对方中心重新登记、分流,本中心不再查看;时间线完整保留,双方均收到通知。", "The case is registered again at the other center, which routes it; this center no longer reads it. Its timeline stays whole and both centers are told.";
    TransferDone => "案件已移交", "Case transferred to";
    ChooseTown => "请选择乡镇", "Choose a town";
    ChooseVillage => "请选择村(社区)", "Choose a village";
    EscalateOpen => "上报县级", "Escalate to the county";
    EscalateReason => "上报事由(需县级协调的事项)", "What the county is asked to do";
    EscalateSubmit => "确认上报", "Escalate";
    EscalateDone => "已上报县级", "Escalated to the county";
    InstructLabel => "批示内容", "Instruction";
    InstructSubmit => "发出批示", "Send the instruction";
    InstructDone => "批示已发出", "Instruction sent";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_exists_in_both_languages() {
        for t in T::ALL {
            let zh = t.get(Lang::Zh);
            let en = t.get(Lang::En);
            assert!(!zh.trim().is_empty(), "{t:?} has no Chinese text");
            assert!(!en.trim().is_empty(), "{t:?} has no English text");
        }
    }

    #[test]
    fn chinese_texts_are_chinese() {
        // Every Chinese string but a few symbols and the switcher's own name has a CJK character.
        let exempt = [T::SwitchTo, T::Dash];
        for t in T::ALL.iter().filter(|t| !exempt.contains(t)) {
            let zh = t.get(Lang::Zh);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{t:?}: {zh}"
            );
        }
    }
}
