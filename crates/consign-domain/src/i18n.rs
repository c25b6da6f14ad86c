//! The message catalogue: every user-facing string in zh-CN and en, side by side, so
//! one cannot exist without the other. Keys are dotted names; an unknown key renders as
//! itself (and a unit test checks every key used by the vocabularies exists).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    /// The code of the other language (the language switch's target).
    pub fn other_code(self) -> &'static str {
        match self {
            Lang::Zh => "en",
            Lang::En => "zh-CN",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
    /// Picks the first supported language of an Accept-Language header (by q order).
    pub fn from_accept_language(h: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in h.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|v| v.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, l));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The message for `key`, or the key itself when the catalogue lacks it.
    pub fn t(self, key: &str) -> &str {
        match lookup(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// A message with `{}` placeholders filled in order.
    pub fn tf(self, key: &str, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut rest = self.t(key);
        while let Some(pos) = rest.find("{}") {
            out.push_str(&rest[..pos]);
            if let Some(a) = args.next() {
                out.push_str(&a.to_string());
            }
            rest = &rest[pos + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// A value in a generated text (an audit summary, a notification): a value as written
/// (a number, a file name, a customer's name), or a message key shown in the reader's
/// language (a kind of import, a status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    /// `{"k": "import.status.finished"}`
    Key {
        k: String,
    },
}

impl Arg {
    pub fn text(v: impl std::fmt::Display) -> Arg {
        Arg::Text(v.to_string())
    }
    pub fn key(k: impl Into<String>) -> Arg {
        Arg::Key { k: k.into() }
    }
}

impl Lang {
    /// A generated text from its message key and values, in this language.
    pub fn said(self, key: &str, args: &[Arg]) -> String {
        let shown: Vec<String> = args
            .iter()
            .map(|a| match a {
                Arg::Text(s) => s.clone(),
                Arg::Key { k } => self.t(k).to_string(),
            })
            .collect();
        let refs: Vec<&dyn std::fmt::Display> =
            shown.iter().map(|s| s as &dyn std::fmt::Display).collect();
        self.tf(key, &refs)
    }
}

macro_rules! catalogue {
    ($($key:literal => $zh:literal, $en:literal;)+) => {
        fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
            match key { $($key => Some(($zh, $en)),)+ _ => None }
        }
        /// Every key in the catalogue (for tests and the translation check).
        pub const KEYS: &[&str] = &[$($key),+];
    };
}

catalogue! {
    // Product and navigation
    "app.name" => "Consign 物流客户关系管理", "Consign Logistics CRM";
    "app.tagline" => "从运单中学习的物流CRM", "The logistics CRM that learns from shipments";
    "nav.customers" => "客户", "Customers";
    "nav.pool" => "公海", "Customer pool";
    "nav.shipments" => "运单", "Shipments";
    "nav.service" => "服务", "Service";
    "nav.followups" => "回访", "Follow-ups";
    "nav.analysis" => "分析", "Analysis";
    "nav.credit" => "信用", "Credit";
    "nav.settings" => "设置", "Settings";
    "nav.users" => "用户管理", "Users";
    "nav.audit" => "审计日志", "Audit log";
    "nav.api_docs" => "API 文档", "API docs";
    "nav.logout" => "退出登录", "Log out";
    "nav.search_placeholder" => "搜索客户：名称、拼音、首字母、编号、电话", "Search customers: name, pinyin, initials, code, phone";
    "nav.language" => "English", "中文";
    // Follow-ups (SPEC §5)
    "interaction.call" => "电话", "Call";
    "interaction.visit" => "拜访", "Visit";
    "interaction.email" => "邮件", "E-mail";
    "interaction.meeting" => "会议", "Meeting";
    "interaction.wechat" => "微信", "WeChat";
    "task_kind.follow_up" => "定期回访", "Regular follow-up";
    "task_kind.complaint_callback" => "投诉后回访", "Callback after a complaint";
    "task_kind.at_risk" => "流失预警回访", "Customer at risk";
    "task_kind.manual" => "待办", "To do";
    "task_status.open" => "待办", "Open";
    "task_status.done" => "已完成", "Done";
    "task_status.cancelled" => "已取消", "Cancelled";
    "followup.interactions" => "沟通记录", "Interactions";
    "followup.log" => "记录沟通", "Log an interaction";
    "followup.logged" => "沟通已记录", "Interaction logged";
    "followup.kind" => "方式", "How";
    "followup.at" => "时间", "When";
    "followup.at_hint" => "留空为现在，如 2026-12-01 14:30", "Empty for now, e.g. 2026-12-01 14:30";
    "followup.contact" => "联系人", "Contact";
    "followup.summary" => "沟通内容", "Summary";
    "followup.next_step" => "下一步", "Next step";
    "followup.by" => "记录人", "By";
    "followup.tasks" => "待办任务", "Tasks";
    "followup.my_tasks" => "我的待办", "My tasks";
    "followup.overdue" => "已逾期", "Overdue";
    "followup.today" => "今天", "Today";
    "followup.upcoming" => "即将到期（{} 天内）", "Upcoming ({} days)";
    "followup.group" => "分组", "Group";
    "followup.days" => "即将到期范围", "Upcoming within";
    "followup.days_n" => "{} 天内", "{} days";
    "followup.none" => "没有待办任务", "Nothing to do";
    "followup.shown" => "显示第 {} – {} 条，共 {} 条", "Showing {}–{} of {}";
    "followup.see_all" => "查看全部", "See all";
    "followup.all_groups" => "全部待办", "All tasks";
    "followup.due_on" => "到期日", "Due";
    "followup.complete" => "完成并记录沟通", "Done: log the interaction";
    "followup.done" => "完成", "Done";
    "task.title.at_risk" => "流失预警客户回访", "Call a customer at risk";
    "task.title.follow_up" => "定期回访（{}类客户）", "Regular follow-up (class {})";
    "task.title.complaint_callback" => "投诉 {} 关闭后回访", "Callback after complaint {}";
    "followup.completed" => "任务已完成，沟通已记录", "Task done; interaction logged";
    "followup.add_task" => "添加待办", "Add a task";
    "followup.task_title" => "待办事项", "What to do";
    "followup.task_added" => "待办已添加", "Task added";
    "followup.customer" => "客户", "Customer";
    "followup.kind_col" => "类型", "Kind";
    "action.interaction.log" => "沟通记录", "Interaction";
    "err.followup_days" => "天数须在 1 到 730 之间", "Days must be between 1 and 730";
    "err.in_future" => "不能晚于现在", "Cannot be in the future";
    "err.task_not_open" => "该任务已完成或已取消", "This task is already done or cancelled";
    "nav.tasks" => "待办", "Tasks";
    // Service desk (SPEC §4)
    "sdash.title" => "服务看板", "Service dashboard";
    "sdash.period" => "统计期间", "Period";
    "sdash.days" => "近 {} 天", "Last {} days";
    "sdash.open" => "未关闭工单", "Open tickets";
    "sdash.breached_now" => "当前超时", "Overdue now";
    "sdash.registered" => "近 {} 天登记", "Registered in {} days";
    "sdash.avg_response" => "平均首次响应（工作时间）", "Average first response (business time)";
    "sdash.avg_resolution" => "平均处理时长（工作时间）", "Average resolution (business time)";
    "sdash.late" => "超时 {} 单", "{} late";
    "sdash.claims_paid" => "已赔付金额", "Claims paid";
    "sdash.claims_of" => "{} 单，索赔 {}", "{} claims, {} claimed";
    "sdash.open_by_status" => "未关闭工单（按状态）", "Open tickets by status";
    "sdash.open_by_kind" => "未关闭工单（按类型）", "Open tickets by kind";
    "sdash.causes" => "近 {} 天根本原因", "Root causes, last {} days";
    "sdash.rates" => "投诉率（近 {} 天，每千票）", "Complaints per 1,000 shipments (last {} days)";
    "sdash.shipments" => "运单数", "Shipments";
    "sdash.complaints" => "投诉数", "Complaints";
    "sdash.per_thousand" => "每千票投诉", "Per 1,000";
    "sdash.window_complaints" => "近 {} 天投诉", "Complaints, last {} days";
    "sdash.complainers" => "投诉最多的客户", "Customers with the most complaints";
    "sdash.h_min" => "{} 小时 {} 分", "{} h {} min";
    "sdash.min" => "{} 分钟", "{} min";
    "sla.title" => "服务时限（SLA）策略", "Service levels (SLA)";
    "sla.hint" => "时限按客户的价值分类和工单紧急程度设定，单位为工作时间分钟；分级百分比再按客户分级调整（80 表示缩短到 80%）。修改只影响之后登记的工单。", "Targets are set by the customer's value class and the ticket's severity, in business minutes; the grade percentage then adjusts them (80 means 80% of the time). A change applies to tickets registered afterwards.";
    "sla.targets" => "时限（分钟）", "Targets (minutes)";
    "sla.first_response" => "首次响应", "First response";
    "sla.resolution" => "处理完成", "Resolution";
    "sla.minutes_hint" => "例：60 = 1 小时，540 = 一个完整工作日（9:00–18:00）", "E.g. 60 = 1 hour, 540 = one 09:00–18:00 working day";
    "sla.on_clock" => "全天候计时", "round the clock";
    "sla.on_clock_legend" => "全天候计时的紧急程度（不按工作时间）", "Severities timed round the clock (not business hours)";
    "sla.grade_percent" => "按客户分级调整（%）", "Adjustment by grade (%)";
    "sla.unclassified_as" => "未分类客户按", "Unclassified customers count as";
    "sla.day_start" => "上班时间", "Working day starts";
    "sla.day_end" => "下班时间", "Working day ends";
    "sla.workdays" => "工作日", "Working days";
    "sla.holidays" => "法定节假日（每行一个日期）", "Public holidays (one date a line)";
    "sla.extra_workdays" => "调休上班日（每行一个日期）", "Make-up working days (调休, one date a line)";
    "sla.dates_hint" => "日期格式 2026-10-01；可用逗号或换行分隔", "Dates as 2026-10-01, separated by commas or lines";
    "wd.1" => "周一", "Mon";
    "wd.2" => "周二", "Tue";
    "wd.3" => "周三", "Wed";
    "wd.4" => "周四", "Thu";
    "wd.5" => "周五", "Fri";
    "wd.6" => "周六", "Sat";
    "wd.7" => "周日", "Sun";
    "notify.ticket_assigned" => "工单 {} 已转交给您：{}（{}）", "Ticket {} was assigned to you: {} ({})";
    "notify.sla_response_breach" => "工单 {} 首次响应超时：{}（{}），时限 {}", "Ticket {}: first response overdue: {} ({}), due {}";
    "notify.sla_resolution_breach" => "工单 {} 处理超时：{}（{}），时限 {}", "Ticket {}: resolution overdue: {} ({}), due {}";
    "notify.tasks_due" => "您有 {} 项待办今天到期或已逾期（其中逾期 {} 项）", "You have {} tasks due today or overdue ({} overdue)";
    "notify.title" => "通知", "Notifications";
    "notify.mark_read" => "全部标为已读", "Mark all read";
    "notify.none" => "暂无通知", "No notifications";
    "ticket.list_title" => "服务工单", "Service tickets";
    "ticket.new" => "登记工单", "Register a ticket";
    "ticket.register" => "登记", "Register";
    "ticket.registered" => "工单已登记", "Ticket registered";
    "ticket.stepped" => "工单状态已更新", "Ticket updated";
    "ticket.assigned" => "处理人已更新", "Assignee changed";
    "ticket.commented" => "备注已添加", "Note added";
    "ticket.attached" => "附件已上传", "Attachment uploaded";
    "ticket.list_empty" => "没有符合条件的工单", "No tickets match";
    "ticket.search_hint" => "工单号、主题或运单号", "Ticket number, subject or waybill";
    "ticket.number" => "工单号", "Number";
    "ticket.subject" => "主题", "Subject";
    "ticket.description" => "问题描述", "Description";
    "ticket.customer" => "客户", "Customer";
    "ticket.customer_code" => "客户编号", "Customer code";
    "ticket.contact" => "联系人", "Contact";
    "ticket.kind" => "类型", "Kind";
    "ticket.channel" => "渠道", "Channel";
    "ticket.severity" => "紧急程度", "Severity";
    "ticket.status" => "状态", "Status";
    "ticket.assignee" => "处理人", "Assignee";
    "ticket.assign_me" => "我自己", "Me";
    "ticket.mine" => "我处理的", "Assigned to me";
    "ticket.unassigned" => "未分配", "Unassigned";
    "ticket.assign_to" => "转交给", "Assign to";
    "ticket.assign" => "转交", "Assign";
    "ticket.comment" => "备注", "Note";
    "ticket.add_comment" => "添加备注", "Add note";
    "ticket.waybills" => "关联运单", "Waybills";
    "ticket.waybills_hint" => "多个运单号用逗号、空格或换行分隔；须为该客户的运单", "Separate waybill numbers with commas, spaces or lines; they must be the customer's";
    "ticket.claim_fields" => "索赔信息（仅索赔）", "Claim (claims only)";
    "ticket.claimed" => "索赔金额", "Amount claimed";
    "ticket.settled" => "赔付金额", "Amount settled";
    "ticket.responsible_party" => "责任方（承运商等）", "Party responsible (carrier etc.)";
    "ticket.root_cause" => "根本原因", "Root cause";
    "ticket.resolution" => "处理结果", "Resolution";
    "ticket.details" => "工单信息", "Details";
    "ticket.sla" => "服务时限（SLA）", "Service level (SLA)";
    "ticket.first_response_due" => "首次响应时限", "First response due";
    "ticket.first_response_at" => "首次响应时间", "First response at";
    "ticket.resolution_due" => "处理时限", "Resolution due";
    "ticket.resolved_at" => "处理完成时间", "Resolved at";
    "ticket.closed_at" => "关闭时间", "Closed at";
    "ticket.breached" => "已超时", "Overdue";
    "ticket.escalated" => "已升级", "Escalated";
    "ticket.reopened_n" => "重新处理 {} 次", "Reopened {} time(s)";
    "ticket.workflow" => "处理流程", "Workflow";
    "ticket.no_steps" => "工单已关闭，无后续步骤", "The ticket is closed; no further steps";
    "ticket.note" => "说明", "Note";
    "ticket.note_resolution" => "处理结果说明", "What was done";
    "ticket.note_callback" => "回访记录", "What the customer said";
    "ticket.attachments" => "附件", "Attachments";
    "ticket.upload" => "上传", "Upload";
    "ticket.attachment_hint" => "图片、PDF 或 Office 文档，不超过 10 MB", "Images, PDF or Office documents, at most 10 MB";
    "ticket.history" => "处理记录", "History";
    "ticket.open_only" => "仅未关闭", "Open only";
    "ticket.breached_only" => "仅超时", "Overdue only";
    "ticket.created_from" => "创建日期从", "Created from";
    "ticket.created_to" => "创建日期至（不含）", "Created before";
    "ticket.sort_newest" => "最新创建", "Newest";
    "ticket.sort_oldest" => "最早创建", "Oldest";
    "ticket.sort_due" => "处理时限最近", "Nearest deadline";
    "ticket.targets_given" => "首次响应 {} 分钟，处理 {} 分钟", "First response {} min, resolution {} min";
    "ticket.of_customer" => "服务工单", "Service tickets";
    "ticket.field.note" => "说明", "Note";
    "ticket.field.root_cause" => "根本原因", "Root cause";
    "ticket.field.settled" => "赔付金额", "Amount settled";
    "ticket.field.responsible_party" => "责任方", "Party responsible";
    "ticket.field.action" => "操作", "Step";
    "ticket.field.assignee_id" => "处理人", "Assignee";
    "ticket.field.file" => "附件", "Attachment";
    "ticket_event.register" => "登记工单", "Registered";
    "ticket_event.assign" => "转交", "Assigned";
    "ticket_event.comment" => "备注", "Note";
    "ticket_event.attach" => "上传附件", "Attachment";
    "ticket_event.escalate_response" => "首次响应超时，已升级", "First response overdue: escalated";
    "ticket_event.escalate_resolution" => "处理超时，已升级", "Resolution overdue: escalated";
    "ticket_kind.inquiry" => "咨询", "Inquiry";
    "ticket_kind.complaint" => "投诉", "Complaint";
    "ticket_kind.claim" => "索赔", "Claim";
    "ticket_kind.suggestion" => "建议", "Suggestion";
    "channel.phone" => "电话", "Phone";
    "channel.email" => "邮件", "Email";
    "channel.portal" => "客户门户", "Portal";
    "channel.wechat" => "微信", "WeChat";
    "channel.visit" => "上门/来访", "Visit";
    "severity.critical" => "紧急", "Critical";
    "severity.high" => "高", "High";
    "severity.normal" => "一般", "Normal";
    "severity.low" => "低", "Low";
    "ticket_status.registered" => "已登记", "Registered";
    "ticket_status.investigating" => "调查中", "Investigating";
    "ticket_status.resolved" => "已处理", "Resolved";
    "ticket_status.confirmed" => "已回访确认", "Confirmed by callback";
    "ticket_status.closed" => "已关闭", "Closed";
    "ticket_action.investigate" => "开始调查", "Start investigation";
    "ticket_action.resolve" => "处理完毕", "Resolve";
    "ticket_action.confirm" => "回访确认满意", "Callback: confirmed";
    "ticket_action.callback_failed" => "回访不满意（重新处理）", "Callback failed (reopen)";
    "ticket_action.close" => "关闭工单", "Close";
    "root_cause.delay" => "时效延误", "Delay";
    "root_cause.damage" => "货物破损", "Damaged goods";
    "root_cause.loss" => "货物丢失", "Lost goods";
    "root_cause.wrong_delivery" => "错发/错送", "Wrong delivery";
    "root_cause.billing" => "计费差错", "Billing error";
    "root_cause.staff_conduct" => "服务态度", "Staff conduct";
    "root_cause.information" => "信息/系统差错", "Information or system error";
    "root_cause.customer_side" => "客户原因", "Customer's side";
    "root_cause.third_party" => "第三方/承运商", "Third party or carrier";
    "root_cause.other" => "其他", "Other";
    "err.ticket_illegal_step" => "工单当前为「{}」，不能执行「{}」", "The ticket is {}: it cannot take the step “{}”";
    "err.ticket_changed" => "工单已被他人更新，请刷新后重试", "Someone else updated the ticket; reload and try again";
    "err.ticket_closed" => "工单已关闭", "The ticket is closed";
    "err.unknown_customer_ticket" => "没有该客户（或已归档）", "No such customer (or it is archived)";
    "err.contact_not_of_customer" => "该联系人不属于此客户", "This contact does not belong to the customer";
    "err.waybill_other_customer" => "该运单属于其他客户", "This waybill belongs to another customer";
    "err.too_many_waybills" => "一个工单最多关联 50 个运单", "A ticket names at most 50 waybills";
    "err.attachment_too_large" => "附件不能超过 10 MB", "An attachment is at most 10 MB";
    "err.attachment_type" => "只接受图片（JPEG、PNG、GIF、WebP）、PDF 和 Office 文档", "Only images (JPEG, PNG, GIF, WebP), PDF and Office documents are accepted";
    "err.attachment_count" => "每个工单最多 20 个附件", "A ticket has at most 20 attachments";
    "err.sla.missing_target" => "缺少该价值分类与紧急程度的时限", "The target for this value class and severity is missing";
    "err.sla.minutes" => "分钟数须在 1 到 86400 之间", "Minutes must be between 1 and 86,400";
    "err.sla.resolution_before_response" => "处理时限不能短于首次响应时限", "The resolution target cannot be shorter than the first-response target";
    "err.sla.unknown_value_class" => "无法识别的价值分类（应为 a、b 或 c）", "Unknown value class (a, b or c)";
    "err.sla.unknown_grade" => "无法识别的客户分级", "Unknown grade";
    "err.sla.unknown_severity" => "无法识别的紧急程度", "Unknown severity";
    "err.sla.percent" => "百分比须在 10 到 500 之间", "Percent must be between 10 and 500";
    "err.sla.time" => "时间格式应为 HH:MM，如 09:00", "A time is HH:MM, such as 09:00";
    "err.sla.day_order" => "下班时间须晚于上班时间", "The day must end after it starts";
    "err.sla.workdays" => "工作日须为 1（周一）到 7（周日），至少一天", "Working days are 1 (Monday) to 7 (Sunday), at least one";
    // Classification (SPEC §3)
    "grade.frequent" => "经常性用户", "Frequent";
    "grade.occasional" => "偶尔性用户", "Occasional";
    "grade.large" => "大型客户", "Large";
    "grade.medium" => "中型客户", "Medium";
    "grade.small" => "小型客户", "Small";
    "grade.gov_a" => "A 级机构", "Institution A";
    "grade.gov_b" => "B 级机构", "Institution B";
    "grade.gov_c" => "C 级机构", "Institution C";
    "value_class.a" => "A 关键客户", "A key";
    "value_class.b" => "B 潜力客户", "B potential";
    "value_class.c" => "C 一般客户", "C general";
    "lifecycle.prospective" => "未来型（尚未发货）", "Prospective";
    "lifecycle.current" => "现在型（活跃）", "Current";
    "lifecycle.past" => "过去型（已沉寂）", "Past";
    "rfm.champions" => "重要价值客户", "Champions";
    "rfm.loyal" => "忠诚客户", "Loyal";
    "rfm.new_customers" => "新客户", "New customers";
    "rfm.potential_loyalists" => "潜在忠诚客户", "Potential loyalists";
    "rfm.need_attention" => "需要关注", "Need attention";
    "rfm.about_to_sleep" => "即将沉睡", "About to sleep";
    "rfm.cant_lose" => "不能失去的客户", "Can't lose them";
    "rfm.at_risk" => "需挽留客户", "At risk (RFM)";
    "rfm.hibernating" => "沉睡客户", "Hibernating";
    "rfm.lost" => "已流失客户", "Lost";
    "classify.title" => "客户分类", "Classification";
    "classify.as_of" => "截至 {}（不含当天），分类策略 v{}", "As of {} (that day not included), policy v{}";
    "classify.history" => "分类变化", "Changes";
    "classify.none_yet" => "尚未计算分类：导入运单或运行 consign classify 后显示", "Not classified yet: shown after a shipment import or consign classify";
    "sort.value_rank" => "价值排名", "Value rank";
    "sort.rfm" => "RFM 总分（高到低）", "RFM total (best first)";
    "analysis.title" => "客户分析", "Customer analysis";
    "analysis.recompute" => "立即重新计算", "Recompute now";
    "analysis.recomputed" => "分类已重新计算", "Classification recomputed";
    "analysis.customers" => "客户数", "Customers";
    "analysis.customers_n" => "{} 个", "{}";
    "analysis.profit" => "利润（近 12 个月）", "Profit (12 months)";
    "analysis.revenue" => "收入（近 12 个月）", "Revenue (12 months)";
    "analysis.a_share" => "占有正利润客户的 {}（共 {} 个）", "{} of the {} customers with profit";
    "analysis.pareto" => "利润帕累托曲线", "Pareto curve of profit";
    "analysis.pareto_x" => "客户占比（按利润从高到低）", "Share of customers (by profit, highest first)";
    "analysis.pareto_y" => "累计利润占比", "Cumulative share of profit";
    "analysis.pareto_note" => "A 类客户占有正利润客户的 {}；A、B 两类合计占 {}。", "A customers are {} of the customers with profit; A and B together {}.";
    "analysis.cut_a" => "A 类界限", "A cut";
    "analysis.cut_b" => "B 类界限", "B cut";
    "analysis.trend" => "月度收入趋势（近 24 个月）", "Monthly revenue (last 24 months)";
    "analysis.month_tip" => "收入 {}，{} 票，利润 {}", "revenue {}, {} shipments, profit {}";
    "analysis.top" => "利润最高的客户", "Top customers by profit";
    "analysis.at_risk" => "流失预警客户", "Customers at risk";
    "analysis.all" => "全部", "All";
    "analysis.volume" => "发货量（前 90 天 → 近 90 天）", "Shipments (90 days before → last 90)";
    "analysis.drop" => "降幅", "Fall";
    "policy.title" => "分类策略", "Classification policy";
    "policy.hint" => "修改后保存为新版本，并立即按新策略重新分类；每次分类记录所用的策略版本。", "Saving stores a new version and reclassifies under it at once; every run records the version it used.";
    "policy.note" => "修改说明", "Reason for the change";
    "policy.versions" => "历史版本", "Versions";
    "policy.version" => "版本", "Version";
    "policy.by" => "修改人", "Changed by";
    "policy.note.defaults" => "默认策略（SPEC §3）", "Defaults (SPEC §3)";
    "policy.note.config_file" => "来自配置文件", "From the configuration file";
    "policy.by.system" => "系统", "System";
    "policy.by.config" => "配置文件", "Configuration file";
    "policy.saved" => "已保存新策略并重新分类", "Policy saved and customers reclassified";
    "policy.individual" => "个人客户分级", "Individuals";
    "policy.enterprise" => "企业客户与机构分级", "Enterprises and institutions";
    "policy.value" => "价值分类（二八法则）", "Value class (80/20)";
    "policy.lifecycle" => "生命周期与流失预警", "Lifecycle and churn warning";
    "policy.rfm" => "RFM", "RFM";
    "policy.frequent_per_month" => "经常性用户：月均发货票数 ≥", "Frequent: shipments a month at least";
    "policy.frequent_months" => "统计月数", "Over months";
    "policy.large_revenue_yuan" => "大型客户：收入 ≥（元）", "Large: revenue at least (CNY)";
    "policy.medium_revenue_yuan" => "中型客户：收入 ≥（元）", "Medium: revenue at least (CNY)";
    "policy.revenue_months" => "收入统计月数", "Revenue over months";
    "policy.value_months" => "利润统计月数", "Profit over months";
    "policy.a_share_pct" => "A 类：之前客户利润占比低于（%）", "A: share before it below (%)";
    "policy.b_share_pct" => "B 类：之前客户利润占比低于（%）", "B: share before it below (%)";
    "policy.current_days" => "现在型：最近多少天内有发货", "Current: shipped within days";
    "policy.churn_days" => "流失预警比较窗口（天）", "Churn comparison window (days)";
    "policy.churn_ratio_pct" => "预警：近期发货 ≤ 之前的（%）", "Warn when recent shipments at most (%) of before";
    "policy.rfm_months" => "RFM 统计月数", "RFM over months";
    "classify.grade" => "客户分级", "Grade";
    "classify.value_class" => "价值分类", "Value class";
    "classify.lifecycle" => "生命周期", "Lifecycle";
    "classify.churn" => "流失预警", "Churn warning";
    "classify.rfm" => "RFM 细分", "RFM segment";
    "classify.at_risk" => "有流失风险", "At risk";
    "classify.not_at_risk" => "无预警", "No warning";
    "classify.first" => "首次分类：{}，{}", "First classified: {}, {}";
    "classify.summary" => "截至 {} 分类完成：{} 个客户，A 类 {}，B 类 {}，C 类 {}，流失预警 {}；策略版本 v{}；用时 {} 秒", "Classified as of {}: {} customers, A {}, B {}, C {}, at risk {}; policy v{}; {} s";
    "explain.grade_individual" => "近 {} 个月发货 {} 票；达到 {} 票（每月 {} 票 × {} 个月）为经常性用户，否则为偶尔性用户", "Shipments over the last {} months: {}; {} or more ({} a month × {} months) is frequent, else occasional";
    "explain.grade_revenue" => "近 {} 个月收入 {}；≥ {} 为大型，≥ {} 为中型，其余为小型", "Revenue over the last {} months {}; {} or more is large, {} or more medium, else small";
    "explain.grade_government" => "政府机构按登记级别分级（国家级 A、省级 B、市级 C）；未登记级别的机构按近 {} 个月收入（{}）分级：≥ {} 为 A，≥ {} 为 B，其余为 C", "Government bodies are graded by their recorded level (national A, provincial B, municipal C); institutions without a level by revenue over the last {} months ({}): {} or more A, {} or more B, else C";
    "explain.value" => "近 {} 个月利润 {}，排名第 {} / {}（按利润从高到低）；排在其前的客户合计占全部正利润的 {}%。", "Profit over the last {} months {}: ranked {} of {}; customers before it hold {}% of positive profit. ";
    "explain.value_rule_a" => "低于 {}% 为 A 类。", "A below {}%.";
    "explain.value_rule_b" => "{}% 及以上、低于 {}% 为 B 类。", "B from {}% to below {}%.";
    "explain.value_rule_c" => "{}% 及以上为 C 类。", "C from {}%.";
    "explain.value_none" => "近 {} 个月利润 {}，不为正：C 类。", "Profit over the last {} months {} is not positive: C.";
    "explain.life_prospective" => "{} 之前没有任何发货", "No shipment ordered before {}";
    "explain.life_current" => "近 {} 天发货 {} 票", "Shipments in the last {} days: {}";
    "explain.life_past" => "最后一次发货在 {}，近 {} 天没有发货", "Last shipment on {}; none in the last {} days";
    "explain.churn_not_current" => "仅对现在型客户预警", "Only current customers are warned about";
    "explain.churn_no_base" => "之前的 {} 天没有发货，不作流失预警", "No shipments in the {} days before, so no warning";
    "explain.churn" => "近 {} 天 {} 票，之前 {} 天 {} 票：为之前的 {}%（向上取整）；不超过 {}% 即预警", "{} days: {} shipments, the {} days before: {}: {}% of before (rounded up); {}% or less is a warning";
    "explain.grade_level" => "政府机构按登记级别分级：登记为{}，定为{}", "Government bodies are graded by their recorded level: {}, so {}";
    "explain.grade_government_revenue" => "未登记级别的政府机构按收入分级：近 {} 个月收入 {}；≥ {} 为 A，≥ {} 为 B，其余为 C", "A government body without a recorded level is graded by revenue: over the last {} months {}; {} or more A, {} or more B, else C";
    "explain.rfm" => "R：最后发货距今 {} 天，得 {} 分；F：近 {} 个月 {} 票，得 {} 分；M：收入 {}，得 {} 分（{} 个客户参与评分，由差到好排序，第 i 位得 ⌊5i/n⌋+1 分）", "R: last shipment {} days ago, score {}; F: {} months' shipments {}, score {}; M: revenue {}, score {} ({} customers scored, sorted worst to best, position i scores ⌊5i/n⌋+1)";
    "explain.rfm_none" => "近 {} 个月没有发货，不参与 RFM 评分", "No shipment in the last {} months: not scored";
    "err.date_format" => "日期格式不正确（例如 2026-11-01）", "Not a valid date (e.g. 2026-11-01)";
    "kpi.company_title" => "服务质量", "Service quality";
    "kpi.company_note" => "{} 所见客户的运单（按下单日）与工单；数据读于 {}，十分钟内复用。", "Shipments (by order day) and tickets of the customers you see, {}; read at {}, reused for ten minutes.";
    "kpi.from" => "开始日期", "From";
    "kpi.to" => "结束日期（不含）", "To (exclusive)";
    "kpi.by" => "按细分", "Break down by";
    "kpi.by.value_class" => "价值分类", "Value class";
    "kpi.by.grade" => "客户分级", "Grade";
    "kpi.by.province" => "省份", "Province";
    "kpi.by.industry" => "行业", "Industry";
    "kpi.by.service_mode" => "服务方式", "Service mode";
    "kpi.by.owner" => "客户经理", "Account manager";
    "kpi.segments" => "细分对比", "By segment";
    "kpi.segment" => "细分", "Segment";
    "kpi.segment_none" => "（未记录）", "(none recorded)";
    "kpi.worst" => "表现最差的客户", "Customers doing worst";
    "kpi.worst_note" => "准时、周期、破损按签收不少于 20 票的客户；投诉、回运按运单不少于 100 票的客户。", "On-time, cycle and damage among customers with 20 or more deliveries; complaints and returns among those with 100 or more shipments.";
    "kpi.delay_rate" => "延误率", "Delay rate";
    "kpi.none_worst" => "没有达到票数要求的客户", "No customer with enough shipments";
    "kpi.to_dashboard" => "客户分类", "Classification";
    "kpi.panel" => "服务质量", "Service quality";
    "kpi.panel_hint" => "按下单日统计；点开数字可查看背后的运单或工单。", "By order day; open a figure to see the shipments or tickets behind it.";
    "kpi.window_days" => "近 {} 天", "Last {} days";
    "kpi.company" => "公司近 365 天", "Company, 365 days";
    "kpi.trend" => "12 个月趋势", "12-month trend";
    "kpi.figure" => "指标", "Figure";
    "kpi.shipments" => "运单数", "Shipments";
    "kpi.delivered" => "已签收", "Delivered";
    "kpi.overdue_in_transit" => "超时在途", "Overdue in transit";
    "kpi.avg_cycle" => "平均订货周期（小时）", "Average order cycle (h)";
    "kpi.std_cycle" => "订货周期标准差（小时）", "Order cycle σ (h)";
    "kpi.on_time_rate" => "准时率", "On-time rate";
    "kpi.damage_rate" => "破损率", "Damage rate";
    "kpi.short_rate" => "短装短卸率", "Short-shipment rate";
    "kpi.in_stock_ratio" => "现货供应比率", "In-stock ratio";
    "kpi.substitution_rate" => "替代品使用率", "Substitution rate";
    "kpi.route_change_rate" => "路线变动率", "Route-change rate";
    "kpi.return_rate" => "回运率", "Return rate";
    "kpi.invoice_error_rate" => "发票错误率", "Invoice error rate";
    "kpi.complaints_per_1000" => "千票投诉数", "Complaints per 1,000";
    "kpi.claim_ratio" => "索赔率", "Claim ratio";
    "kpi.first_response" => "平均首次响应（工作小时）", "Average first response (business h)";
    "kpi.resolution" => "平均解决时长（工作小时）", "Average resolution (business h)";
    "err.kpi_window" => "开始日期须早于结束日期，且相隔不超过 3660 天", "The start date must come before the end date, at most 3,660 days apart";
    "err.policy_positive" => "必须是正数", "Must be positive";
    "err.policy_months" => "月数须在 1 到 24 之间", "Months must be between 1 and 24";
    "err.policy_days" => "天数须在 1 到 366 之间", "Days must be between 1 and 366";
    "err.policy_percent" => "百分比须在 0 到 100 之间", "Percent must be between 0 and 100";
    "err.policy_share" => "比例须在 0.01% 到 100% 之间", "Share must be between 0.01% and 100%";
    "err.policy_b_above_a" => "B 类界限不能低于 A 类界限", "The B cut cannot be below the A cut";
    "err.policy_large_above_medium" => "大型客户门槛必须高于中型客户门槛", "The large threshold must be above the medium one";
    "nav.not_built" => "本模块尚未上线", "This module is not available yet";
    // Login
    "login.title" => "登录", "Sign in";
    "login.username" => "用户名", "Username";
    "login.password" => "密码", "Password";
    "login.submit" => "登录", "Sign in";
    "login.failed" => "用户名或密码错误", "Wrong username or password";
    "login.throttled" => "登录失败次数过多，请 15 分钟后再试", "Too many failed sign-ins; try again in 15 minutes";
    "login.disabled" => "该账号已停用", "This account is disabled";
    // Common
    "common.save" => "保存", "Save";
    "common.cancel" => "取消", "Cancel";
    "common.edit" => "编辑", "Edit";
    "common.delete" => "删除", "Delete";
    "common.create" => "新建", "Create";
    "common.search" => "搜索", "Search";
    "common.filter" => "筛选", "Filter";
    "common.reset" => "重置", "Reset";
    "common.all" => "全部", "All";
    "common.yes" => "是", "Yes";
    "common.more_filters" => "更多筛选", "More filters";
    "list.customers" => "客户档案", "Customer archive";
    "list.tickets" => "服务工单", "Service tickets";
    "list.audit" => "审计日志", "Audit log";
    "list.tasks" => "我的待办", "My tasks";
    "list.shipments" => "运单", "Shipments";
    "view.views" => "视图", "Views";
    "view.mine" => "我的视图", "My views";
    "view.team" => "团队共享", "Shared by my team";
    "view.none" => "还没有保存的视图", "No saved views yet";
    "view.save_as" => "将当前筛选保存为视图", "Save these filters as a view";
    "view.name" => "视图名称", "View name";
    "view.name_hint" => "如：我的广东A类客户", "e.g. My class A customers in Guangdong";
    "view.shared" => "与团队共享", "Share with my team";
    "view.save" => "保存视图", "Save view";
    "view.saved" => "视图已保存", "View saved";
    "view.not_saved" => "视图未保存", "The view was not saved";
    "view.delete" => "删除", "Delete";
    "view.columns" => "列", "Columns";
    "view.columns_hint" => "勾选要显示的列；拖动 ⠿ 或用“上移”调整顺序", "Tick the columns to show; drag ⠿ or use Move up to order them";
    "view.move_up" => "上移", "Move up";
    "view.apply" => "应用", "Apply";
    "view.by" => "来自 {}", "by {}";
    "common.active_filters" => "已选筛选条件", "Active filters";
    "common.remove_filter" => "移除此筛选", "Remove this filter";
    "common.no" => "否", "No";
    "common.none" => "无", "None";
    "common.actions" => "操作", "Actions";
    "common.prev" => "上一页", "Previous";
    "common.next" => "下一页", "Next";
    "common.total" => "共 {} 条", "{} in total";
    "common.page" => "第 {} / {} 页", "Page {} of {}";
    "common.total_more" => "超过 {} 条", "More than {}";
    "common.page_only" => "第 {} 页", "Page {}";
    "common.created_at" => "创建时间", "Created";
    "common.updated_at" => "更新时间", "Updated";
    "common.show" => "显示", "Show";
    "common.confirm" => "确定要执行此操作吗？", "Are you sure?";
    "common.back" => "返回", "Back";
    "common.saved" => "已保存", "Saved";
    "common.empty" => "暂无数据", "Nothing here yet";
    "common.sort" => "排序", "Sort";
    // Customer fields
    "customer.title" => "客户档案", "Customer archive";
    "customer.new" => "新建客户", "New customer";
    "customer.edit" => "编辑客户", "Edit customer";
    "customer.code" => "客户编号", "Customer code";
    "customer.code_hint" => "留空则自动生成", "Leave empty to generate";
    "customer.name" => "客户名称", "Name";
    "customer.short_name" => "简称", "Short name";
    "customer.kind" => "客户类型", "Kind";
    "customer.gov_level" => "机构级别", "Institution level";
    "customer.industry" => "行业", "Industry";
    "customer.province" => "省份", "Province";
    "customer.city" => "城市", "City";
    "customer.region" => "地区", "Region";
    "customer.search_placeholder" => "搜索：名称、拼音、首字母、编号、电话", "Search: name, pinyin, initials, code, phone";
    "customer.address" => "地址", "Address";
    "customer.goods_types" => "货物类型", "Goods types";
    "customer.service_modes" => "服务方式", "Service modes";
    "customer.data_source" => "数据来源", "Data source";
    "customer.owner" => "客户经理", "Account manager";
    "customer.status" => "状态", "Status";
    "customer.tags" => "标签", "Tags";
    "customer.tags_hint" => "用逗号分隔", "Separate with commas";
    "customer.notes" => "备注", "Notes";
    "customer.uscc" => "统一社会信用代码", "Unified social credit code";
    "customer.id_number" => "身份证号", "ID number";
    "customer.custom_fields" => "自定义字段", "Custom fields";
    "customer.custom_fields_hint" => "每行一项：名称=值", "One per line: name=value";
    "customer.archived" => "已归档", "Archived";
    "customer.archive" => "归档", "Archive";
    "customer.restore" => "恢复", "Restore";
    "customer.release" => "释放到公海", "Release to pool";
    "customer.claim" => "领取", "Claim";
    "customer.merge" => "合并", "Merge";
    "customer.merge_into" => "合并到客户（保留）", "Merge into (kept) customer";
    "customer.merge_help" => "本客户的联系人、标签及全部记录将移到目标客户，本客户归档并标记为已合并。", "This customer's contacts, tags and all records move to the target customer; this one is archived and marked as merged.";
    "customer.merged_into" => "已合并到", "Merged into";
    "customer.in_pool" => "公海客户", "In the pool";
    "customer.pool_since" => "进入公海时间", "In pool since";
    "customer.duplicates" => "可能重复的客户", "Possible duplicates";
    "customer.duplicate_reason.uscc" => "统一社会信用代码相同", "Same unified social credit code";
    "customer.duplicate_reason.phone" => "联系电话相同", "Same phone number";
    "customer.duplicate_reason.name" => "名称相同", "Same name";
    "customer.duplicate_reason.similar_name" => "名称相近", "Similar name";
    "customer.duplicate_confirm" => "仍然创建", "Create anyway";
    "customer.contacts" => "联系人", "Contacts";
    "customer.timeline" => "活动时间线", "Activity timeline";
    "customer.basic" => "基本信息", "Basic information";
    "customer.created" => "客户已创建", "Customer created";
    "customer.updated" => "客户已更新", "Customer updated";
    "customer.no_owner" => "（公海）", "(pool)";
    "customer.list_empty" => "没有符合条件的客户", "No customers match";
    "customer.mine" => "我的客户", "My customers";
    "customer.show_archived" => "显示已归档", "Show archived";
    "customer.first_contact" => "主联系人（可选）", "Primary contact (optional)";
    "customer.pool_hint" => "公海客户可由客户经理领取；客户经理超过设定天数未跟进的客户将自动回到公海。", "Account managers may claim customers in the pool; customers without a follow-up by their owner for the set number of days return to it automatically.";
    "customer.merge_search" => "搜索要保留的客户", "Search for the customer to keep";
    "customer.merge_candidates" => "候选客户", "Candidates";
    "customer.merge_confirm" => "确认合并", "Merge now";
    "customer.basic_edit_hint" => "带 * 为必填项", "Fields marked * are required";
    "customer.id_number_keep" => "已保存（留空则不修改）", "Stored (leave empty to keep)";
    "settings.title" => "系统设置", "Settings";
    "settings.pool_reclaim_days" => "公海回收天数", "Pool reclaim period (days)";
    "settings.pool_reclaim_help" => "客户经理在此天数内没有任何跟进记录的客户，将自动回到公海。", "Customers whose account manager logs no interaction within this many days return to the pool.";
    "account.title" => "我的账户", "My account";
    "account.password" => "修改密码", "Change password";
    "account.new_password" => "新密码", "New password";
    "account.password_hint" => "修改后需要重新登录，您的所有 API 令牌将被撤销（集成需使用新令牌）", "You will sign in again afterwards, and all your API tokens are revoked (integrations need a new token)";
    "account.current_password" => "当前密码", "Current password";
    "err.unknown_query_parameter" => "此接口没有这个查询参数", "This operation takes no such query parameter";
    "err.bad_query" => "查询参数格式错误", "Malformed query parameters";
    "err.settlement_above_claim" => "赔付金额超过索赔金额，需由经理处理", "A settlement above the amount claimed needs a manager";
    "contact.masked_hint" => "电话和邮箱已脱敏显示；留空保持不变，或输入新值替换", "Phone and e-mail are masked: left empty they stay as they are, or type new ones";
    "contact.reveal_to_edit" => "显示完整信息以编辑（将记入审计日志）", "Reveal to edit (recorded in the audit log)";
    "err.token_expiry" => "有效期应为 1 至 3650 天", "The validity must be 1 to 3,650 days";
    "user.token_expires" => "有效期至", "Expires";
    "user.token_never" => "永不过期", "Never";
    "user.token_days" => "{} 天", "{} days";
    "user.expired" => "已过期", "Expired";
    "account.password_changed" => "密码已修改，所有会话已结束，您的 API 令牌已全部撤销。请用新密码登录", "Password changed: every session has ended and all your API tokens are revoked. Sign in with the new password";
    "err.current_password_wrong" => "当前密码不正确", "The current password is wrong";
    "user.reset_password_hint" => "该用户将需要重新登录，其所有 API 令牌将被撤销", "The user signs in again; all of the user's API tokens are revoked";
    "user.reset_password" => "重置密码", "Reset password";
    "user.revoke" => "吊销", "Revoke";
    "user.revoked" => "已吊销", "Revoked";
    "user.last_used" => "最近使用", "Last used";
    "user.token_prefix" => "前缀", "Prefix";
    "audit.all_actions" => "全部操作", "All actions";
    "customer.count" => "客户数", "Customers";
    // Contacts
    "contact.name" => "姓名", "Name";
    "contact.title" => "职务", "Title";
    "contact.phone" => "电话", "Phone";
    "contact.email" => "邮箱", "Email";
    "contact.wechat" => "微信", "WeChat";
    "contact.primary" => "主联系人", "Primary";
    "contact.add" => "添加联系人", "Add contact";
    "contact.reveal" => "查看完整信息", "Reveal";
    "contact.revealed" => "已显示完整信息（已记录审计）", "Shown in full (audited)";
    // Vocabularies
    "kind.individual" => "个人客户", "Individual";
    "kind.enterprise" => "企业客户", "Enterprise";
    "kind.government" => "政府及其他机构", "Government / institution";
    "gov_level.national" => "国家级", "National";
    "gov_level.provincial" => "省级", "Provincial";
    "gov_level.municipal" => "市级", "Municipal";
    "mode.express" => "快递", "Express";
    "mode.ltl" => "零担", "LTL";
    "mode.ftl" => "整车", "FTL";
    "mode.warehousing" => "仓储", "Warehousing";
    "mode.cold_chain" => "冷链", "Cold chain";
    "mode.international" => "国际", "International";
    "mode.other" => "其他", "Other";
    "source.internal" => "内部（自有业务）", "Internal (own operations)";
    "source.external" => "外部（采购名单、展会等）", "External (lists, trade fairs)";
    "shipment_status.created" => "已下单", "Created";
    "shipment_status.in_transit" => "运输中", "In transit";
    "shipment_status.delivered" => "已签收", "Delivered";
    "shipment_status.returned" => "已退回", "Returned";
    "shipment_status.cancelled" => "已取消", "Cancelled";
    "exception.damaged" => "破损", "Damaged";
    "exception.short" => "短少", "Short";
    "exception.delayed" => "延误", "Delayed";
    "exception.stockout" => "缺货", "Stockout";
    "exception.substituted" => "替代品", "Substituted";
    "exception.route_changed" => "路线变动", "Route changed";
    "exception.returned" => "回运", "Returned";
    "exception.invoice_error" => "发票错误", "Invoice error";
    "shipment.waybill_no" => "运单号", "Waybill no.";
    "shipment.ordered_at" => "下单时间", "Ordered";
    "shipment.promised_at" => "承诺送达", "Promised by";
    "shipment.shipped_at" => "发运时间", "Shipped";
    "shipment.delivered_at" => "签收时间", "Delivered";
    "shipment.route" => "线路", "Route";
    "shipment.service_mode" => "服务方式", "Service";
    "err.revenue_sort_range" => "按应收金额排序需先选择一个客户，或不超过 31 天的下单日期范围", "Sorting by revenue needs a customer, or order days at most 31 days apart";
    "shipment.totals" => "合计", "Totals";
    "shipment.totals_count" => "票数", "Shipments";
    "shipment.profit" => "毛利", "Profit";
    "shipment.overdue" => "超时未送达", "Overdue";
    "shipment.overdue_hint" => "只看超过承诺时效仍未送达的", "Only those past their promised time, not delivered";
    "shipment.export_csv" => "导出 CSV", "Export CSV";
    "shipment.export_xlsx" => "导出 Excel", "Export Excel";
    "shipment.sort.newest" => "下单时间（新→旧）", "Ordered, newest first";
    "shipment.sort.oldest" => "下单时间（旧→新）", "Ordered, oldest first";
    "shipment.sort.revenue" => "应收金额（高→低）", "Revenue, highest first";
    "shipment.sort.revenue_asc" => "应收金额（低→高）", "Revenue, lowest first";
    "shipment.product" => "产品", "Product";
    "shipment.pieces" => "件数", "Pieces";
    "shipment.weight" => "计费重量", "Weight";
    "shipment.volume" => "体积", "Volume";
    "shipment.revenue" => "应收金额", "Revenue";
    "shipment.cost" => "成本", "Cost";
    "shipment.status" => "状态", "Status";
    "shipment.exceptions" => "异常", "Exceptions";
    "shipment.customer" => "客户", "Customer";
    "shipment.goods_type" => "货物类型", "Goods";
    "shipment.note" => "备注", "Note";
    "shipment.details" => "运单信息", "Shipment";
    "shipment.times" => "时效", "Times";
    "shipment.tracking" => "物流轨迹", "Tracking";
    "shipment.no_tracking" => "暂无轨迹记录", "No tracking events yet";
    "shipment.of_customer" => "运单", "Shipments";
    "shipment.none" => "暂无运单：运单通过导入（consign import shipments）或 API 写入", "No shipments yet: they come in by import (consign import shipments) or by the API";
    "shipment.not_found" => "没有找到该运单号，或该运单的客户不在您的权限范围内", "No shipment has this waybill number, or its customer is outside your scope";
    "shipment.list_title" => "运单", "Shipments";
    "shipment.list_empty" => "没有符合条件的运单", "No shipments match";
    "shipment.search_prefix" => "运单号（开头几位即可）", "Waybill no. (its start will do)";
    "shipment.exception" => "异常", "Exception";
    "shipment.ordered_from" => "下单日期起", "Ordered from";
    "shipment.ordered_to" => "下单日期止（不含）", "Ordered before";
    "shipment.origin" => "始发城市", "From city";
    "shipment.destination" => "目的城市", "To city";
    "shipment.customer_id" => "客户编号（ID）", "Customer (id)";
    "pay.bank_transfer" => "银行转账", "Bank transfer";
    "pay.cash" => "现金", "Cash";
    "pay.wechat" => "微信支付", "WeChat Pay";
    "pay.alipay" => "支付宝", "Alipay";
    "pay.cheque" => "支票", "Cheque";
    "pay.acceptance" => "承兑汇票", "Bank acceptance";
    "pay.offset" => "冲抵", "Offset";
    "invoice.state.open" => "未到期", "Open";
    "invoice.state.paid" => "已结清", "Paid";
    "invoice.state.overdue" => "已逾期", "Overdue";
    "aging.not_due" => "未到期", "Not due";
    "aging.1_30" => "逾期 1–30 天", "1–30 days overdue";
    "aging.31_60" => "逾期 31–60 天", "31–60 days overdue";
    "aging.61_90" => "逾期 61–90 天", "61–90 days overdue";
    "aging.over_90" => "逾期 90 天以上", "Over 90 days overdue";
    "invoice.of_customer" => "账单与发票", "Invoices";
    "invoice.invoice_no" => "账单号", "Invoice no.";
    "invoice.period" => "账期", "Period";
    "invoice.amount" => "金额", "Amount";
    "invoice.issued_at" => "开具日期", "Issued";
    "invoice.due_at" => "到期日", "Due";
    "invoice.paid" => "已付", "Paid";
    "invoice.outstanding" => "未付", "Outstanding";
    "invoice.state" => "状态", "State";
    "invoice.days_overdue" => "逾期 {} 天", "{} days overdue";
    "invoice.none" => "暂无账单：账单通过导入（consign import invoices）或 API 写入", "No invoices yet: they come in by import (consign import invoices) or by the API";
    "invoice.receivables" => "应收账款", "Receivables";
    "invoice.total_outstanding" => "未付合计", "Outstanding";
    "invoice.total_overdue" => "逾期合计", "Overdue";
    "payment.of_customer" => "收款记录", "Payments";
    "payment.payment_no" => "收款单号", "Payment no.";
    "payment.paid_at" => "收款日期", "Paid on";
    "payment.amount" => "金额", "Amount";
    "payment.method" => "方式", "Method";
    "payment.invoice" => "对应账单", "Invoice";
    "payment.late" => "晚付 {} 天", "{} days late";
    "payment.none" => "暂无收款记录", "No payments yet";
    "import.kind.shipments" => "运单", "Shipments";
    "import.kind.tracking" => "物流轨迹", "Tracking events";
    "import.kind.invoices" => "账单与发票", "Invoices";
    "import.kind.payments" => "收款记录", "Payments";
    "import.kind.customers" => "客户", "Customers";
    "import.kind.contacts" => "联系人", "Contacts";
    "nav.imports" => "数据导入", "Imports";
    "import.intro" => "导入运单、轨迹、账单、收款、客户和联系人：CSV（UTF-8 或 GBK）或 XLSX，按中文或英文列名识别；错误行逐行报告，正确的行全部导入，重复导入不会产生重复数据。", "Import shipments, tracking, invoices, payments, customers and contacts: CSV (UTF-8 or GBK) or XLSX, columns recognised by their Chinese or English names; every bad row is reported, every good row kept, and importing a file again creates no duplicates.";
    "import.upload" => "上传文件", "Upload a file";
    "import.kind" => "数据类型", "Kind";
    "import.file" => "文件", "File";
    "import.encoding" => "文本编码（CSV）", "Text encoding (CSV)";
    "import.encoding.detect" => "自动识别", "Detect";
    "import.profile" => "导入配置", "Import profile";
    "import.create_prospects" => "客户编号不存在时自动建为潜在客户", "Create unknown customer codes as prospects";
    "import.allow_duplicates" => "客户导入：疑似重复的客户仍然新建", "Customers: create likely duplicates anyway";
    "import.start" => "开始导入", "Import";
    "import.formats" => "列名、格式和示例见 docs/import.md；程序接口：POST /api/v1/imports。", "Columns, formats and samples: docs/import.md; API: POST /api/v1/imports.";
    "import.recent" => "最近的导入", "Recent imports";
    "import.started" => "开始时间", "Started";
    "shipment.open_in_list" => "在运单列表中筛选", "Filter in the shipment list";
    "import.finished_at" => "结束时间", "Finished";
    "import.all_kinds" => "全部数据类型", "All kinds";
    "import.all_states" => "全部状态", "All statuses";
    "import.anyone" => "全部操作人", "Anyone";
    "import.none" => "没有符合条件的导入记录", "No import matches";
    "import.profile_hint" => "在导入方案中写明这些列（保存：consign import-profile 名称 方案.toml；导入：--profile 名称）：", "Name these columns in an import profile (save: consign import-profile NAME profile.toml; import: --profile NAME):";
    "import.your_header" => "文件中的列名", "your column's header";
    "import.none_yet" => "还没有导入记录：上传一个文件开始", "No imports yet: upload a file to start";
    "import.new_run" => "上传文件导入", "Import a file";
    "import.by" => "操作人", "By";
    "import.state" => "状态", "Status";
    "import.rows" => "读取行数", "Rows read";
    "import.new" => "新增", "New";
    "import.updated" => "更新", "Updated";
    "import.unchanged" => "未变", "Unchanged";
    "import.bad_rows" => "错误行", "Bad rows";
    "import.prospects" => "新建潜在客户", "Prospects created";
    "import.result" => "导入结果", "Import result";
    "import.running_hint" => "正在导入，本页每 2 秒刷新一次；可以离开本页，导入会继续。", "Importing; this page refreshes every 2 seconds. You may leave it: the import goes on.";
    "import.download_report" => "下载错误报告（CSV）", "Download the bad-row report (CSV)";
    "import.first_100" => "下表仅列出前 100 条，完整内容请下载错误报告。", "The table shows the first 100; the report has them all.";
    "import.status.running" => "导入中", "Importing";
    "import.status.finished" => "已完成", "Finished";
    "import.status.failed" => "未完成（文件问题）", "Stopped (file problem)";
    "import.status.interrupted" => "已中断", "Interrupted";
    "import.choose_file" => "请选择要导入的文件（不能为空文件）", "Choose a file to import (it may not be empty)";
    "import.choose_kind" => "请选择数据类型", "Choose what the file holds";
    "import.upload_broken" => "上传中断，请重新上传", "The upload broke off; upload the file again";
    "import.upload_too_large" => "文件超过 4 GB，请拆分后上传", "The file is over 4 GB; split it and upload the parts";
    "export.csv" => "导出 CSV", "Export CSV";
    "export.xlsx" => "导出 Excel", "Export Excel";
    "import.report.row" => "行号", "Row";
    "import.report.column" => "列", "Column";
    "import.report.value" => "内容", "Value";
    "import.report.reason" => "原因", "Reason";
    "import.file_level" => "（整个文件）", "(whole file)";
    "import.summary" => "读取 {} 行：新增 {}，更新 {}，未变 {}，错误 {}；新建潜在客户 {}；用时 {} 秒（{} 行/秒）", "Read {} rows: {} new, {} updated, {} unchanged, {} bad; {} prospects created; {} s ({} rows/s)";
    "import.repeated" => "{} 行与文件中前面的行运单号相同，以后出现的为准", "{} rows repeat a waybill number seen earlier in the file; the later row is kept";
    "import.errors_written" => "错误行已写入 {}", "Bad rows written to {}";
    "import.recognised" => "按导入方案“{}”读取（文件的表头与它保存时相同）", "Read with the import profile “{}” (the file's headers are the ones it was saved from)";
    "import.dry.summary" => "试运行，未写入任何数据：读取 {} 行，可导入 {} 行，坏行 {} 行", "Dry run, nothing written: {} rows read, {} would import, {} bad";
    "import.dry.unknown_customers" => "{} 个客户编号不存在（{} 行）", "Customer codes that name no customer: {} ({} rows)";
    "import.dry.out_of_scope" => "{} 行的客户不在您的范围内，将被拒绝", "{} rows name customers outside your scope and would be refused";
    "import.dry.rows" => "{} 行", "{} rows";
    "import.confidence.profile" => "已指定", "set";
    "import.confidence.high" => "确定", "certain";
    "import.confidence.medium" => "推测", "likely";
    "import.confidence.ambiguous" => "不确定，请选择", "unsure, choose";
    "import.confidence.none" => "未使用", "not read";
    "import.check.title" => "检查导入文件", "Check the file";
    "import.check.header_row" => "表头在第 {} 行", "header on row {}";
    "import.check.dry_run" => "试运行（尚未写入任何数据）", "Dry run (nothing written yet)";
    "import.check.good" => "可导入", "Would import";
    "import.check.file_total" => "文件合计", "File's total";
    "import.check.rows_total" => "各行合计", "Rows' total";
    "import.check.will_create" => "导入时将创建为潜在客户", "they will be created as prospects";
    "import.check.will_refuse" => "这些行将被拒绝（可勾选“创建为潜在客户”）", "those rows will be refused (or tick “create as prospects”)";
    "import.check.columns" => "列与字段", "Columns and fields";
    "import.check.missing" => "缺少必需的字段，请为其选择列：", "Required fields without a column; choose one for each:";
    "import.check.file_column" => "文件中的列", "Column in the file";
    "import.check.first_values" => "前几行的值", "First values";
    "import.check.field" => "字段", "Field";
    "import.check.field_of" => "列“{}”对应的字段", "Field of column “{}”";
    "import.check.confidence" => "匹配", "Match";
    "import.check.values" => "无法识别的取值", "Values not recognised";
    "import.check.values_hint" => "为每个取值选择含义；保存为导入方案后，下次自动使用。", "Choose what each value means; saved with the profile, it is used next time.";
    "import.check.value" => "取值", "Value";
    "import.check.value_of" => "取值“{}”的含义", "Meaning of “{}”";
    "import.check.rows" => "行数", "Rows";
    "import.check.means" => "含义", "Means";
    "import.check.keep_other" => "其他（保留产品名称）", "Other (keep the product name)";
    "import.check.leave_bad" => "不识别（该行为坏行）", "Not recognised (the row is bad)";
    "import.check.save_as" => "保存为导入方案", "Save as import profile";
    "import.check.save_hint" => "方案名称，例如：德邦月结明细", "a name, e.g. 德邦月结明细";
    "import.check.again" => "按此映射重新检查", "Check again with this mapping";
    "import.check.bad_field" => "选择的字段或取值不存在", "A chosen field or value does not exist";
    "import.check.field_twice" => "字段 {} 被选给了两列：“{}”和“{}”", "The field {} is chosen for two columns: “{}” and “{}”";
    "import.check.not_ready" => "还有必需的字段没有对应的列", "Some required fields still have no column";
    "import.check_first" => "检查并映射", "Check and map";
    "import.note.duplicates" => "{} 行疑似与已有客户重复，未导入（{}）；错误报告列出每行撞上的客户与规则，确认不是同一客户后可选择“仍然导入”", "{} rows looked like existing customers and were not imported ({}); the error report names the customer each collided with and the rule; import anyway once you know they differ";
    "import.note.rule_rows" => "{} {} 行", "{}: {} rows";
    "import.notes" => "导入提示", "Notes on the import";
    "import.note.total_ok" => "合计行核对：文件合计 {} 与导入的行一致", "Total row check: the file's total {} matches the imported rows";
    "import.note.total_off" => "合计行核对：文件合计 {}，导入的行合计 {}，相差 {}（见坏行）", "Total row check: the file says {}, the imported rows sum to {}, a difference of {} (see the bad rows)";
    "import.note.unknown_product" => "产品名称“{}”不在产品表中：{} 行按“其他”方式导入，产品名称已保留；可在导入方案的 [values.service_mode] 中指定方式", "Product name “{}” is not in the product table: {} rows imported with the mode “other”, the product name kept; name its mode under [values.service_mode] in a profile";
    "status.prospect" => "潜在客户", "Prospect";
    "status.active" => "合作中", "Active";
    "status.suspended" => "暂停合作", "Suspended";
    "status.lost" => "已流失", "Lost";
    "industry.ecommerce" => "电子商务", "E-commerce";
    "industry.manufacturing" => "制造业", "Manufacturing";
    "industry.cold_chain_food" => "冷链食品", "Cold-chain food";
    "industry.pharmaceuticals" => "医药", "Pharmaceuticals";
    "industry.auto_parts" => "汽车零部件", "Auto parts";
    "industry.retail" => "零售", "Retail";
    "industry.electronics" => "电子电器", "Electronics";
    "industry.chemicals" => "化工", "Chemicals";
    "industry.textiles" => "纺织服装", "Textiles and apparel";
    "industry.agriculture" => "农产品", "Agriculture";
    "industry.public_sector" => "公共部门", "Public sector";
    "industry.personal" => "个人", "Personal";
    "industry.other" => "其他", "Other";
    "role.admin" => "系统管理员", "Administrator";
    "role.manager" => "经理", "Manager";
    "role.account_manager" => "客户经理", "Account manager";
    "role.service_agent" => "客服专员", "Service agent";
    "role.credit_officer" => "信用专员", "Credit officer";
    "role.read_only" => "只读用户", "Read-only";
    "role.portal_user" => "门户用户", "Portal user";
    "unit.company" => "公司", "Company";
    "unit.branch" => "分公司/网点", "Branch";
    "unit.team" => "团队", "Team";
    "unit.add" => "新建组织", "New organisation unit";
    "unit.parent" => "上级组织", "Parent unit";
    "unit.name" => "组织名称", "Unit name";
    "unit.kind" => "类型", "Kind";
    // Sorting
    "sort.updated_desc" => "最近更新", "Recently updated";
    "sort.code" => "编号", "Code";
    "sort.newest" => "最新录入", "Newest first";
    "sort.name" => "名称", "Name";
    "sort.created_desc" => "最近创建", "Recently created";
    // Users
    "user.title" => "用户管理", "Users";
    "user.search" => "用户名、姓名或邮箱", "Username, name or e-mail";
    "user.all_roles" => "全部角色", "All roles";
    "user.all_units" => "全部组织", "All units";
    "user.any_state" => "全部状态", "Any status";
    "user.edit" => "角色与组织", "Role and unit";
    "user.none" => "没有符合条件的用户", "No user matches";
    "user.username" => "用户名", "Username";
    "user.display_name" => "姓名", "Full name";
    "user.role" => "角色", "Role";
    "user.unit" => "组织", "Organisation unit";
    "user.email" => "邮箱", "Email";
    "user.password" => "初始密码", "Initial password";
    "user.disabled" => "已停用", "Disabled";
    "user.enabled" => "正常", "Active";
    "user.disable" => "停用", "Disable";
    "user.enable" => "启用", "Enable";
    "user.add" => "添加用户", "Add user";
    "user.tokens" => "API 令牌", "API tokens";
    "user.token_new" => "生成 API 令牌", "Create API token";
    "user.token_name" => "令牌名称", "Token name";
    "user.token_created" => "令牌已生成，仅显示这一次：", "Token created; it is shown only this once:";
    "user.last_login" => "最近登录", "Last sign-in";
    // Audit
    "audit.title" => "审计日志", "Audit log";
    "audit.at" => "时间", "When";
    "audit.actor" => "操作人", "Who";
    "audit.action" => "操作", "Action";
    "audit.entity" => "对象", "Object";
    "audit.changes" => "变更内容", "Changes";
    "audit.before" => "变更前", "Before";
    "audit.after" => "变更后", "After";
    "audit.ip" => "IP", "IP";
    "audit.customer" => "客户编号（ID）", "Customer (id)";
    "entity.customer" => "客户", "Customer";
    "entity.contact" => "联系人", "Contact";
    "entity.user" => "用户", "User";
    "entity.setting" => "设置", "Setting";
    "entity.api_token" => "API 令牌", "API token";
    "entity.view" => "列表视图", "List view";
    "entity.list" => "列表", "List";
    "entity.ticket" => "服务工单", "Ticket";
    "entity.ticket_attachment" => "工单附件", "Ticket attachment";
    "entity.interaction" => "沟通记录", "Interaction";
    "entity.shipment" => "运单", "Shipment";
    "entity.invoice" => "账单", "Invoice";
    "entity.payment" => "回款", "Payment";
    "entity.import_run" => "导入任务", "Import";
    "entity.import_profile" => "导入配置", "Import profile";
    "entity.classification_run" => "分类计算", "Classification run";
    "entity.classification_policy" => "分类策略", "Classification policy";
    "audit.none" => "没有符合条件的记录", "No entries match";
    // Audit summaries: generated, shown in the reader's language (issue 18).
    "audit.summary.tokens_revoked" => "吊销了 {} 个 API 令牌", "{} API tokens revoked";
    "audit.summary.export_all" => "{} 行（{}），全部客户", "{} rows ({}), all customers";
    "audit.summary.export_owners" => "{} 行（{}），{} 位负责人的客户及公海", "{} rows ({}), customers of {} owners and the pool";
    "audit.summary.reveal_contact" => "手机、邮箱", "Phone, e-mail";
    "audit.summary.reveal_contact_export" => "手机、邮箱（导出）", "Phone, e-mail (export)";
    "audit.summary.reveal_id_number" => "证件号码", "ID number";
    "audit.summary.import_run" => "{} {}：{}，新增 {}，更新 {}，未变 {}，错误 {}", "{} {}: {}, {} new, {} updated, {} unchanged, {} bad";
    "audit.summary.profile_save" => "{}（{}）", "{} ({})";
    "audit.summary.classification_run" => "{} 个客户（{}，截至 {}）", "{} customers ({}, as of {})";
    "audit.summary.reclaim" => "{} {}（{} 天未跟进）", "{} {} ({} days without follow-up)";
    "classification.cause.manual" => "手动重算", "recomputed by hand";
    "classification.cause.policy" => "分级规则变更", "policy changed";
    "classification.cause.import" => "导入后重算", "after an import";
    "classification.cause.nightly" => "夜间重算", "nightly run";
    "classification.cause.demo" => "演示数据", "demo data";
    "action.customer.create" => "创建客户", "Created customer";
    "action.import.profile_save" => "保存导入方案", "Saved import profile";
    "action.customer.update" => "修改客户", "Updated customer";
    "action.customer.archive" => "归档客户", "Archived customer";
    "action.view.save" => "保存列表视图", "Saved a list view";
    "action.view.delete" => "删除列表视图", "Deleted a list view";
    "action.view.columns" => "调整列表列", "Chose a list's columns";
    "action.customer.restore" => "恢复客户", "Restored customer";
    "action.customer.release" => "释放到公海", "Released to pool";
    "action.customer.claim" => "从公海领取", "Claimed from pool";
    "action.customer.reclaim" => "超期自动回收到公海", "Reclaimed to pool (no follow-up)";
    "action.customer.assign" => "分配客户经理", "Assigned owner";
    "action.customer.merge" => "合并客户", "Merged customer";
    "action.customer.merged_from" => "并入客户", "Customer merged in";
    "action.contact.create" => "添加联系人", "Added contact";
    "action.contact.update" => "修改联系人", "Updated contact";
    "action.contact.delete" => "删除联系人", "Deleted contact";
    "action.pii.reveal" => "查看个人信息明文", "Viewed personal data unmasked";
    "action.user.create" => "创建用户", "Created user";
    "action.user.update" => "修改用户", "Updated user";
    "action.user.password" => "修改密码", "Changed password";
    "action.user.disable" => "停用用户", "Disabled user";
    "action.user.enable" => "启用用户", "Enabled user";
    "action.token.create" => "生成 API 令牌", "Created API token";
    "action.token.revoke" => "吊销 API 令牌", "Revoked API token";
    "action.auth.login" => "登录", "Signed in";
    "action.auth.login_failed" => "登录失败", "Failed sign-in";
    "action.settings.update" => "修改设置", "Changed settings";
    // Errors
    "err.required" => "必填", "Required";
    "err.phone_last4" => "应为电话号码的后四位数字", "Must be the last four digits of a phone number";
    "shipment.shipper_phone_last4" => "寄件人电话尾号", "Shipper's phone ends in";
    "shipment.consignee_phone_last4" => "收件人电话尾号", "Consignee's phone ends in";
    "track.title" => "运单查询", "Track a shipment";
    "track.tagline" => "输入运单号和寄件人或收件人电话的后四位，查看货物状态和物流轨迹。", "Enter the waybill number and the last four digits of the shipper's or consignee's phone to see where the shipment is.";
    "track.waybill_no" => "运单号", "Waybill number";
    "track.phone_last4" => "电话后四位", "Last four digits of the phone";
    "track.phone_hint" => "寄件人或收件人的手机号或座机号的最后四位数字", "Of the shipper's or the consignee's mobile or landline number";
    "track.submit" => "查询", "Track";
    "track.not_found" => "未找到该运单：请核对运单号和电话后四位。", "No shipment matches: check the waybill number and the four digits.";
    "track.throttled" => "查询过于频繁，请稍后再试（最多一小时）。", "Too many lookups: please try again later (within the hour).";
    "track.no_events" => "暂无物流轨迹。", "No tracking events yet.";
    "track.portal_link" => "客户登录（查看全部运单、投诉与账单）", "Customer sign-in (all your shipments, complaints and invoices)";
    "err.too_long" => "内容过长", "Too long";
    "err.columns_none" => "请至少选择一列", "Choose at least one column";
    "err.duplicate_view_name" => "已有同名视图", "You already have a view with this name";
    "err.code_format" => "编号须为 2–32 位字母、数字、- 或 _", "Code must be 2–32 letters, digits, - or _";
    "err.phone_format" => "电话号码格式不正确（手机 11 位，座机须带区号）", "Not a valid phone number (11-digit mobile, or landline with area code)";
    "err.money_format" => "金额格式不正确（例如 1,234.50 或 ￥1234.5，至多两位小数）", "Not a valid amount (e.g. 1,234.50 or ￥1234.5, at most two decimals)";
    "err.number_format" => "数字格式不正确或小数位过多", "Not a valid number, or too many decimal places";
    "err.datetime_format" => "时间格式不正确（例如 2025-10-03 09:05 或 2025/10/3 9:05）", "Not a valid date or time (e.g. 2025-10-03 09:05 or 2025/10/3 9:05)";
    "err.unknown_waybill" => "没有该运单号的运单", "No shipment has this waybill number";
    "err.unknown_owner" => "没有该用户名或姓名的用户", "No user has this username or name";
    "err.import_customer_row_refused" => "该客户第 {} 行有误，整个客户未导入", "Row {} of this customer is wrong, so the customer was not imported";
    "err.customer_refused_duplicate" => "此客户在导入 #{} 中因疑似重复被拒绝：{}", "This customer was refused in import #{} as a likely duplicate of {}";
    "err.import_duplicate" => "疑似与已有客户重复：{}（确认不是同一客户时可选择仍然导入）", "Looks like an existing customer: {} (import anyway if it is not the same customer)";
    "err.customer_out_of_scope" => "该客户不在您的权限范围内", "This customer is outside your scope";
    "err.file_too_large" => "文件超过 4 GB", "The file is over 4 GB";
    "err.doc_no_format" => "单号须为 2 至 40 位字母、数字或 - _ /", "A document number is 2 to 40 letters, digits or - _ /";
    "err.period_format" => "账期应为年月，如 2026-10", "A period is a year and month, such as 2026-10";
    "err.amount_positive" => "金额必须大于 0", "The amount must be more than 0";
    "err.due_before_issued" => "到期日早于开具日期", "Due before it was issued";
    "err.unknown_payment_method" => "无法识别的付款方式", "Unknown payment method";
    "err.unknown_invoice" => "没有该账单号的账单（或属于其他客户）", "No invoice has this number (or it belongs to another customer)";
    "err.invoice_has_payments" => "该账单已有收款记录，请先删除收款", "This invoice has payments; delete them first";
    "err.waybill_format" => "运单号须为 4 至 40 位字母、数字或连字符", "A waybill number is 4 to 40 letters, digits or hyphens";
    "err.flag_format" => "应为 是/否", "Expected yes or no (是/否)";
    "err.negative" => "不能为负数", "Must not be negative";
    "err.before_ordered" => "早于下单（寄件）时间", "Earlier than the order time";
    "err.delivered_before_shipped" => "签收时间早于发运时间", "Delivered before it was shipped";
    "err.delivered_without_time" => "状态为已签收但没有签收时间", "Status is delivered but there is no delivery time";
    "err.unknown_customer" => "客户编号不存在（可选择自动建为潜在客户）", "No customer has this code (you may choose to create prospects)";
    "err.unknown_service_mode" => "无法识别的产品类型/服务方式", "Unknown service mode";
    "err.unknown_status" => "无法识别的运单状态", "Unknown shipment status";
    "err.integer_format" => "应为整数", "Expected a whole number";
    "err.line_too_long" => "该行过长（超过 {} 字节），可能缺少引号或换行", "Row too long (over {} bytes): a quote or line break may be missing";
    "err.csv_malformed" => "CSV 格式错误：{}", "Malformed CSV: {}";
    "err.encoding" => "文件编码不是 {}：请确认编码（UTF-8 或 GBK）", "The file is not valid {}: check the encoding (UTF-8 or GBK)";
    "err.header_not_found" => "前 {} 行中找不到表头（需要能识别的列名，如 运单号、客户编号、寄件时间）", "No header row in the first {} rows (known column names are needed, such as 运单号/waybill_no, 客户编号/customer_code, 寄件时间/ordered_at)";
    "err.column_missing" => "缺少必需的列：{}", "Required column missing: {}";
    "err.xlsx_damaged" => "无法读取 Excel 文件（文件可能不完整或已损坏）：{}", "Cannot read the Excel file (it may be truncated or damaged): {}";
    "err.xlsx_part_too_large" => "Excel 文件异常，已拒绝读取：其中一部分解压后过大或压缩比异常（{}），可能是恶意构造的文件。请在 Excel/WPS 中另存为 .xlsx 或 CSV 后重试", "Excel file refused: one of its parts unzips too large or at an abnormal ratio ({}); the file may be crafted. Save it again as .xlsx or CSV in Excel/WPS and retry";
    "err.xlsx_too_many_parts" => "Excel 文件异常，已拒绝读取：包含超过 {} 个部件", "Excel file refused: it has more than {} parts";
    "err.xlsx_cell_too_long" => "Excel 文件异常，已拒绝读取：某个单元格或元素过长（{}）", "Excel file refused: a cell or element is too long ({})";
    "err.number_out_of_scope" => "该编号已属于您无权操作的客户，不能改到其他客户名下", "This number belongs to a customer you may not act on; it cannot be moved to another customer";
    "customer.duplicate_hidden" => "不在您权限范围内的客户", "A customer outside your scope";
    "err.profile_invalid" => "导入配置有误：列或取值无法识别", "The import profile names an unknown field or value";
    "err.unknown_exception" => "无法识别的异常类型", "Unknown exception flag";
    "err.batch_too_large" => "一次最多 1000 条", "At most 1,000 items per request";
    "action.ticket.register" => "登记服务工单", "Registered a ticket";
    "action.ticket.step" => "处理服务工单", "Worked a ticket";
    "action.ticket.assign" => "转交服务工单", "Assigned a ticket";
    "action.ticket.comment" => "工单备注", "Commented on a ticket";
    "action.ticket.attach" => "上传工单附件", "Attached a file to a ticket";
    "action.ticket.escalate" => "工单超时升级", "Ticket escalated (SLA breach)";
    "action.ticket.export" => "导出服务工单", "Exported tickets";
    "action.kpi.export" => "导出服务质量指标", "Exported service KPIs";
    "action.survey.create" => "发出满意度调查", "Made a survey";
    "action.improvement.create" => "开立改进措施", "Opened an improvement action";
    "action.improvement.step" => "推进改进措施", "Moved an improvement action";
    "kpi.csat" => "满意度 CSAT", "CSAT";
    "kpi.nps" => "净推荐值 NPS", "NPS";
    "err.improvement_past" => "到期日不能早于今天", "The due date cannot be before today";
    "err.improvement_check" => "检查日须晚于今天", "The check date must be after today";
    "err.improvement_gap_scope" => "服务差距只按客户或全公司统计，不按细分", "Gaps are measured per customer or for the whole company, not per segment";
    "err.improvement_stage" => "不能从当前阶段转到该阶段", "The action cannot move to that stage from where it is";
    "err.improvement_result" => "关闭时请写明结果", "Say what came of it when closing";
    "err.improvement_changed" => "该措施刚被他人推进，请刷新后重试", "Someone else just moved this action; reload and try again";
    "improvement.stage.plan" => "计划", "Plan";
    "improvement.stage.do" => "执行", "Do";
    "improvement.stage.check" => "检查", "Check";
    "improvement.stage.act" => "处置", "Act";
    "improvement.stage.closed" => "已关闭", "Closed";
    "improvement.source.kpi" => "服务指标", "Service KPI";
    "improvement.source.gap" => "服务差距", "SERVQUAL gap";
    "improvement.source.survey" => "调查回答", "Survey answer";
    "improvement.source.manual" => "手动", "By hand";
    "improvement.title_list" => "改进措施（PDCA）", "Improvement actions (PDCA)";
    "improvement.new" => "开立改进措施", "Open an improvement action";
    "improvement.title" => "措施名称", "Action";
    "improvement.metric" => "目标指标", "Figure targeted";
    "improvement.scope" => "对象", "Whose";
    "improvement.scope.company" => "全公司", "Whole company";
    "improvement.baseline" => "基线", "Baseline";
    "improvement.baseline_note" => "基线为开立前 {} 天（{} – {}）的数值。", "The baseline is the figure over the {} days before opening ({} – {}).";
    "improvement.baseline_form_note" => "开立时记录基线：目标指标在此前 90 天的数值；检查日按开始执行以来的数值与之对比。", "When opened, the baseline is recorded: the figure over the 90 days before; at the check date the figure since the action started is compared with it.";
    "improvement.goal" => "目标值（可选）", "Goal (optional)";
    "improvement.owner" => "负责人", "Owner";
    "improvement.by" => "操作人", "By";
    "improvement.plan" => "计划内容", "Plan";
    "improvement.due_on" => "完成期限", "Due";
    "improvement.check_on" => "检查日期", "Check on";
    "improvement.stage" => "阶段", "Stage";
    "improvement.since_start" => "开始以来", "Since the start";
    "improvement.since_note" => "自 {} 至 {} 的数值（到检查日为止）。", "The figure from {} to {} (up to the check date).";
    "improvement.outcome.better" => "好于基线", "Better than the baseline";
    "improvement.outcome.same" => "与基线持平", "Same as the baseline";
    "improvement.outcome.worse" => "差于基线", "Worse than the baseline";
    "improvement.outcome.unknown" => "尚无可比数据", "Nothing to compare yet";
    "improvement.check_value" => "检查时数值", "At the check";
    "improvement.result" => "结果", "Result";
    "improvement.steps" => "推进记录", "Steps";
    "improvement.move" => "推进到", "Move to";
    "improvement.note" => "说明", "Note";
    "improvement.overdue" => "已逾期", "Overdue";
    "improvement.check_due" => "已到检查日", "Check date reached";
    "improvement.none" => "暂无改进措施", "No improvement actions";
    "improvement.my_due" => "待处理的改进措施", "Improvement actions needing you";
    "improvement.filter.open" => "进行中", "Open";
    "improvement.filter.overdue" => "已逾期", "Overdue";
    "improvement.mine" => "我负责的", "Mine";
    "improvement.created" => "改进措施已开立", "Improvement action opened";
    "improvement.moved" => "已推进", "Moved on";
    "common.days" => "{} 天", "{} days";
    "credit.released_ok" => "被扣运单已放行", "Held shipments released";
    "credit.aging" => "账龄", "Aging";
    "credit.when" => "时间", "When";
    "credit.title" => "信用管理", "Credit management";
    "credit.list_title" => "信用账户", "Credit accounts";
    "credit.tab" => "信用", "Credit";
    "credit.policy.warn" => "仅预警", "Warn only";
    "credit.policy.block" => "超限扣货", "Hold shipments";
    "credit.status.ok" => "正常", "OK";
    "credit.status.warning" => "接近额度", "Near the limit";
    "credit.status.over" => "超出额度", "Over the limit";
    "credit.monthly_settlement" => "月结", "Monthly settlement";
    "credit.cash" => "现结", "Pay per shipment";
    "credit.limit" => "信用额度", "Credit limit";
    "credit.no_limit" => "不限额", "No limit";
    "credit.term_days" => "信用期限（天）", "Credit period (days)";
    "credit.rating" => "信用等级", "Rating";
    "credit.unrated" => "未评级", "Not rated";
    "credit.hold_policy" => "超限处理", "Over the limit";
    "credit.exposure" => "信用占用", "Exposure";
    "credit.utilization" => "额度使用率", "Limit used";
    "credit.status" => "状态", "Status";
    "credit.overdue" => "逾期金额", "Overdue";
    "credit.oldest_overdue" => "最长逾期 {} 天", "Oldest {} days overdue";
    "credit.unpaid_invoices" => "未付发票", "Unpaid invoices";
    "credit.uninvoiced" => "未开票运费", "Not yet invoiced";
    "credit.prepaid" => "预收款", "Paid in advance";
    "credit.billed_from" => "自 {} 起的运单尚未开票", "Shipments from {} on are not invoiced yet";
    "credit.never_billed" => "尚无发票：全部运单运费计入未开票", "No invoice yet: every shipment's revenue counts as not invoiced";
    "credit.exposure_note" => "信用占用 = 未付发票 + 未开票运费 − 预收款（不低于 0）", "Exposure = unpaid invoices + revenue not invoiced − advance payments (never below 0)";
    "credit.no_account" => "尚未设置信用条件；以下占用按当前数据计算。", "No credit terms set yet; the exposure below is computed from the current data.";
    "credit.on_hold" => "扣货运单", "Shipments on hold";
    "credit.on_hold_count" => "{} 票运单因超限被扣", "{} shipments held over the limit";
    "credit.holds_title" => "扣货清单", "Hold list";
    "credit.holds_none" => "没有被扣的运单", "No shipment is on hold";
    "credit.hold_reason.over_limit" => "超出信用额度", "Over the credit limit";
    "credit.held_at" => "扣货时间", "Held at";
    "credit.release" => "放行", "Release";
    "credit.release_all" => "全部放行", "Release all";
    "credit.release_note" => "放行说明", "Release note";
    "credit.released" => "已放行 {} 票运单", "{} shipments released";
    "credit.set_terms" => "设置信用条件", "Set credit terms";
    "credit.request_terms" => "申请调整信用条件", "Request a change of credit terms";
    "credit.request_hint" => "申请提交后由信用专员审批，结果会通知您。", "A credit officer decides on the request; you will be notified.";
    "credit.reason" => "原因", "Reason";
    "credit.save" => "保存", "Save";
    "credit.submit_request" => "提交申请", "Submit request";
    "credit.saved" => "信用条件已保存", "Credit terms saved";
    "credit.requested" => "申请已提交", "Request submitted";
    "credit.history" => "信用条件变更记录", "History of credit terms";
    "credit.history_none" => "暂无变更记录", "No changes yet";
    "credit.state.applied" => "已设置", "Set";
    "credit.state.pending" => "待审批", "Pending";
    "credit.state.approved" => "已批准", "Approved";
    "credit.state.rejected" => "已驳回", "Rejected";
    "credit.requests" => "待审批的信用申请", "Credit requests to decide";
    "credit.requests_none" => "没有待审批的申请", "No request to decide";
    "credit.approve" => "批准", "Approve";
    "credit.reject" => "驳回", "Reject";
    "credit.decision_note" => "审批意见", "Decision note";
    "credit.decided" => "已处理", "Decided";
    "credit.requested_by" => "申请人", "Requested by";
    "credit.decided_by" => "审批人", "Decided by";
    "credit.none" => "没有符合条件的信用账户", "No credit account matches";
    "credit.all_statuses" => "全部状态", "All statuses";
    "credit.all_ratings" => "全部等级", "All ratings";
    "credit.all_settlements" => "全部结算方式", "All settlements";
    "credit.sort.utilization" => "按额度使用率", "By limit used";
    "credit.sort.exposure" => "按占用金额", "By exposure";
    "credit.sort.code" => "按客户编码", "By customer code";
    "credit.policy_title" => "信用政策", "Credit policy";
    "credit.warn_percent" => "预警比例（%）", "Warning at (% of the limit)";
    "credit.default_term_days" => "新账户信用期限（天）", "New account's credit period (days)";
    "credit.default_policy" => "新账户超限处理", "New account's over-limit handling";
    "credit.on_hold_badge" => "信用扣货", "Credit hold";
    "credit.flag_over" => "该客户信用占用已超出额度", "This customer's exposure is over its limit";
    "credit.flag_warning" => "该客户信用占用已接近额度", "This customer's exposure is near its limit";
    "err.invoice_kind" => "类型应为 invoice 或 credit_note", "The kind must be invoice or credit_note";
    "err.statement_cell" => "无法读取该单元格", "This cell cannot be read";
    "err.statement_file_too_large" => "报表文件过大（最大 2 MB）", "The statement file is too large (at most 2 MB)";
    "credit.statement_import" => "导入报表文件", "Import a statement file";
    "credit.statement_import_hint" => "CSV 或 Excel：资产负债表、利润表（项目一行一个，期末/期初或本期/上期金额列；可含标题行和“单位：万元”）。", "CSV or Excel: the balance sheet and income statement (one item a row, closing/opening or this/last period columns; title rows and a 单位：万元 line are fine).";
    "credit.statement_imported" => "报表已导入", "Statement imported";
    "credit.statement_missing" => "文件中没有这些项目：{}", "The file did not have: {}";
    "credit.file" => "文件", "File";
    "err.credit_limit" => "信用额度应在 0 至 1 万亿元之间", "The credit limit must be between 0 and ¥1,000,000,000,000";
    "err.credit_term" => "信用期限应在 0 至 365 天之间", "The credit period must be 0 to 365 days";
    "err.credit_rating" => "信用等级应为 A、B、C 或 D", "The rating must be A, B, C or D";
    "err.credit_policy" => "取值超出允许范围", "The value is out of range";
    "err.credit_policy_kind" => "超限处理应为 warn 或 block", "Over-limit handling must be warn or block";
    "err.amount_too_large" => "金额过大（单笔至多 1 万亿元）", "The amount is too large (at most ¥1,000,000,000,000)";
    "err.statement_too_large" => "金额超出可接受范围", "The amount is out of range";
    "err.statement_item_range" => "金额不能为负数或过大", "The amount cannot be negative or this large";
    "err.credit_status" => "状态应为 ok、warning 或 over", "The status must be ok, warning or over";
    "err.credit_sort" => "不支持的排序方式", "Unknown sort order";
    "err.credit_decided" => "该申请已处理过", "This request has been decided already";
    "err.not_on_hold" => "该运单不在扣货状态", "This shipment is not on hold";
    "task_kind.credit_review" => "信用申请审批", "Credit request to decide";
    "task_kind.collection" => "欠账追收", "Collection";
    "task.title.credit_approved" => "告知 {}：信用申请已批准（{}）{}", "Tell {}: the credit request was approved ({}) {}";
    "task.title.credit_rejected" => "告知 {}：信用申请被驳回（{}）：{}", "Tell {}: the credit request was rejected ({}): {}";
    "task.title.credit_review" => "审批 {} 的信用申请：{}", "Decide the credit request for {}: {}";
    "notify.credit_warning" => "客户 {} 的信用占用 ¥{} 已接近额度 ¥{}", "Customer {}: exposure ¥{} is near its limit ¥{}";
    "notify.credit_over" => "客户 {} 的信用占用 ¥{} 已超出额度 ¥{}", "Customer {}: exposure ¥{} is over its limit ¥{}";
    "notify.credit_request" => "客户 {}：{} 申请调整信用条件（{}）", "Customer {}: {} asks for new credit terms ({})";
    "notify.credit_approved" => "客户 {} 的信用申请已批准（{}）{}", "Customer {}: your credit request was approved ({}) {}";
    "notify.credit_rejected" => "客户 {} 的信用申请被驳回（{}）：{}", "Customer {}: your credit request was rejected ({}): {}";
    "action.credit.set" => "设置信用条件", "Set credit terms";
    "action.credit.request" => "申请调整信用条件", "Requested new credit terms";
    "action.credit.approve" => "批准信用申请", "Approved a credit request";
    "action.credit.reject" => "驳回信用申请", "Rejected a credit request";
    "action.shipment.hold" => "运单因超限被扣", "Shipments held over the credit limit";
    "action.shipment.release" => "放行被扣运单", "Released held shipments";
    "credit.method.five_c" => "5C（品格、能力、资本、担保、状况）", "5C (character, capacity, capital, collateral, conditions)";
    "credit.method.five_p" => "5P（个人、目的、偿付、保障、展望）", "5P (personal, purpose, payment, protection, perspective)";
    "credit.method.six_a" => "6A（经济、技术、管理、组织、商业、财务）", "6A (economic, technical, managerial, organizational, commercial, financial)";
    "credit.factor.character" => "品格", "Character";
    "credit.factor.capacity" => "能力", "Capacity";
    "credit.factor.capital" => "资本", "Capital";
    "credit.factor.collateral" => "担保", "Collateral";
    "credit.factor.conditions" => "状况", "Conditions";
    "credit.factor.personal" => "个人因素", "Personal";
    "credit.factor.purpose" => "目的因素", "Purpose";
    "credit.factor.payment" => "偿付因素", "Payment";
    "credit.factor.protection" => "保障因素", "Protection";
    "credit.factor.perspective" => "展望因素", "Perspective";
    "credit.factor.economic" => "经济因素", "Economic";
    "credit.factor.technical" => "技术因素", "Technical";
    "credit.factor.managerial" => "管理因素", "Managerial";
    "credit.factor.organizational" => "组织因素", "Organizational";
    "credit.factor.commercial" => "商业因素", "Commercial";
    "credit.factor.financial" => "财务因素", "Financial";
    "credit.assessments" => "信用评估", "Credit assessments";
    "credit.score_trend" => "评分趋势", "Score over time";
    "credit.assess" => "新评估", "New assessment";
    "credit.assessments_none" => "尚无信用评估", "No assessment yet";
    "credit.method" => "评估方法", "Checklist";
    "credit.score" => "评分", "Score";
    "credit.suggested_limit" => "建议额度", "Suggested limit";
    "credit.revenue_12m" => "近12个月营收", "Revenue, last 12 months";
    "credit.notes" => "评估说明", "Notes";
    "credit.assessed" => "评估已保存", "Assessment saved";
    "credit.assessed_by" => "评估人", "Assessed by";
    "credit.score_hint" => "每项 1（差）至 5（好）", "Each 1 (poor) to 5 (good)";
    "credit.statements" => "财务报表与比率", "Financial statements and ratios";
    "credit.statements_none" => "尚无财务报表", "No financial statement yet";
    "credit.statement_add" => "录入报表", "Enter a statement";
    "credit.statement_saved" => "财务报表已保存", "Statement saved";
    "credit.period" => "期间", "Period";
    "credit.period_hint" => "如 2025、2025-H1、2025-Q3、2025-09", "e.g. 2025, 2025-H1, 2025-Q3, 2025-09";
    "credit.item.cash_fen" => "货币资金", "Cash";
    "credit.item.cash_equivalents_fen" => "现金等价物/交易性金融资产", "Cash equivalents";
    "credit.item.receivables_fen" => "应收账款（期末）", "Receivables (closing)";
    "credit.item.inventory_fen" => "存货（期末）", "Inventory (closing)";
    "credit.item.current_assets_fen" => "流动资产合计", "Current assets";
    "credit.item.total_assets_fen" => "资产总计（期末）", "Total assets (closing)";
    "credit.item.current_liabilities_fen" => "流动负债合计", "Current liabilities";
    "credit.item.total_liabilities_fen" => "负债合计", "Total liabilities";
    "credit.item.sales_fen" => "营业收入", "Sales";
    "credit.item.credit_sales_fen" => "赊销收入净额", "Net credit sales";
    "credit.item.cost_of_sales_fen" => "营业成本", "Cost of sales";
    "credit.item.costs_and_expenses_fen" => "成本费用总额", "Costs and expenses";
    "credit.item.profit_fen" => "利润总额", "Profit";
    "credit.item.opening_receivables_fen" => "期初应收账款", "Opening receivables";
    "credit.item.opening_inventory_fen" => "期初存货", "Opening inventory";
    "credit.item.opening_total_assets_fen" => "期初资产总额", "Opening total assets";
    "credit.ratio.debt_ratio" => "资产负债率", "Debt ratio";
    "credit.ratio.current_ratio" => "流动比率", "Current ratio";
    "credit.ratio.quick_ratio" => "速动比率", "Quick ratio";
    "credit.ratio.cash_ratio" => "现金比率", "Cash ratio";
    "credit.ratio.ar_turnover" => "应收账款周转率", "AR turnover";
    "credit.ratio.inventory_turnover" => "存货周转率", "Inventory turnover";
    "credit.ratio.return_on_assets" => "资产利润率", "Return on assets";
    "credit.ratio.profit_margin" => "销售利润率", "Profit margin";
    "credit.ratio.cost_profit_ratio" => "成本费用利润率", "Cost-expense profit ratio";
    "credit.ratio.liquidity_ratio" => "变现比率", "Liquidity ratio";
    "credit.range.debt_ratio" => "≤60% 合理，>80% 偏高", "≤ 60% reasonable, > 80% high";
    "credit.range.current_ratio" => "2:1 合理，至少 1:1", "2:1 reasonable, 1:1 minimum";
    "credit.range.quick_ratio" => "1:1 合理，最低 0.5:1", "1:1 reasonable, 0.5:1 minimum";
    "credit.range.higher_better" => "越大越好", "Higher is better";
    "credit.range.return_on_assets" => "≥5% 良好，<0 亏损", "≥ 5% good, below 0 a loss";
    "credit.range.profit_margin" => "≥5% 良好，<0 亏损", "≥ 5% good, below 0 a loss";
    "credit.range.liquidity_ratio" => "≥20% 良好，<10% 偏低", "≥ 20% good, below 10% low";
    "credit.flag.good" => "合理", "Reasonable";
    "credit.flag.watch" => "关注", "Watch";
    "credit.flag.poor" => "偏离", "Out of range";
    "credit.flag.info" => "参考", "For reference";
    "credit.flag.undefined" => "无法计算（分母为 0）", "Undefined (zero denominator)";
    "credit.ratio" => "比率", "Ratio";
    "credit.block_short" => "扣货", "Hold";
    "credit.customer_page" => "客户档案", "Customer record";
    "credit.settle_short" => "月结", "Monthly";
    "credit.cash_short" => "现结", "Cash";
    "credit.statement_items" => "报表项目", "Statement items";
    "credit.range" => "参考范围", "Range";
    "err.credit_method" => "评估方法应为 five_c、five_p 或 six_a", "The checklist must be five_c, five_p or six_a";
    "err.credit_score" => "每项评分应为 1 至 5", "Each score must be 1 to 5";
    "err.statement_negative" => "金额不能为负数", "The amount cannot be negative";
    "err.statement_part" => "分项不能大于合计", "A part cannot exceed its total";
    "err.statement_period" => "期间格式应为 2025、2025-H1、2025-Q3 或 2025-09", "The period must look like 2025, 2025-H1, 2025-Q3 or 2025-09";
    // Customer portal (issue 22)
    "portal.title" => "客户自助服务", "Customer portal";
    "portal.tagline" => "查运单、看时效、提投诉理赔，随时随地", "Track shipments, see your service figures and raise complaints or claims, any time";
    "portal.login_title" => "客户登录", "Customer sign-in";
    "portal.login_hint" => "还没有账号？请联系您的客户经理发送邀请链接。", "No account yet? Ask your account manager for an invitation link.";
    "portal.invite_title" => "设置密码", "Set your password";
    "portal.invite_hello" => "{}，您好！设置密码后即可登录客户自助服务。", "Hello {}! Set a password to start using the customer portal.";
    "portal.password_again" => "再次输入密码", "Password again";
    "portal.set_password" => "设置密码", "Set password";
    "portal.password_set" => "密码已设置，请登录", "Your password is set; sign in";
    "portal.invite_gone" => "该邀请链接已使用或已过期，请联系您的客户经理重新发送", "This invitation link has been used or has expired; ask your account manager for a new one";
    "err.password_mismatch" => "两次输入的密码不一致", "The two passwords differ";
    "portal.nav.home" => "概览", "Overview";
    "portal.nav.shipments" => "我的运单", "Shipments";
    "portal.nav.tickets" => "投诉与理赔", "Complaints and claims";
    "portal.nav.invoices" => "账单", "Invoices";
    "portal.kpis_90" => "近 90 天服务表现", "Service over the last 90 days";
    "portal.kpis_note" => "按发货时间统计；准时率与破损率以已签收运单为基数。", "Counted by order date; on-time and damage rates are shares of delivered shipments.";
    "portal.shipments_n" => "运单数", "Shipments";
    "portal.on_time" => "准时率", "On-time rate";
    "portal.damage" => "破损率", "Damage rate";
    "portal.cycle" => "平均时效", "Average transit time";
    "portal.hours" => "{} 小时", "{} hours";
    "portal.due" => "应付款项", "What is due";
    "portal.surveys" => "请您评价我们的服务", "Please rate our service";
    "portal.surveys_note" => "每份问卷约一分钟：您的评分直接送达服务团队，差评会有专人回访。", "About a minute each: your scores go straight to the service team, and a low one is followed up in person.";
    "portal.survey_answer" => "填写", "Answer";
    "portal.survey_until" => "{} 前有效", "open until {}";
    "portal.mail.subject" => "{}：客户服务平台邀请", "{}: your invitation to the customer portal";
    "portal.mail.hello" => "{}，您好：", "Hello {},";
    "portal.mail.invited" => "{}邀请您使用我们的客户服务平台：为{}查看运单与物流轨迹、对账单和应付款，在线提交投诉、理赔和咨询并跟进处理进度。", "{} invites you to our customer portal: see {}'s shipments and their tracking, invoices and what is due, and file complaints, claims and inquiries online and follow them.";
    "portal.mail.username" => "登录名：{}", "Your sign-in name: {}";
    "portal.mail.until" => "请在 {} 前打开下面的链接设置密码（链接仅可使用一次）：", "Open this link before {} to set your password (it works once):";
    "portal.err.no_smtp" => "未配置邮件服务器（[smtp]），无法发送邮件：请复制邀请链接发给联系人。", "No mail relay is configured ([smtp]): copy the invitation link to the contact instead.";
    "portal.err.no_email" => "该联系人没有邮箱地址：请先补充邮箱，或复制邀请链接发给联系人。", "This contact has no e-mail address: add one, or copy the invitation link to the contact.";
    "portal.invite_email" => "邮件邀请", "Invite by e-mail";
    "portal.invite_emailed" => "邀请链接已发送至 {}。", "The invitation link was e-mailed to {}.";
    "portal.invite_email_failed" => "邮件未能发送（邮件服务器拒绝或无法连接）：请复制下面的链接发给联系人。", "The e-mail could not be sent (the mail relay refused it or could not be reached): copy the link below to the contact.";
    "portal.err.too_many_photos" => "提交时最多附 3 个文件，其余可在提交后于工单页面补充。", "At most 3 files with a new ticket; add more on its page afterwards.";
    "portal.photos" => "照片或单据（可选）", "Photos or documents (optional)";
    "portal.photos_hint" => "最多 3 个，每个不超过 10 MB：JPG、PNG、GIF、WebP、PDF。", "Up to 3, each at most 10 MB: JPG, PNG, GIF, WebP, PDF.";
    "portal.photos_again" => "请重新选择照片：浏览器不会保留已选的文件。", "Choose the photos again: the browser does not keep them.";
    "portal.open_tickets" => "处理中的投诉与理赔", "Open complaints and claims";
    "portal.no_open_tickets" => "没有处理中的工单。", "Nothing open.";
    "portal.recent_shipments" => "最近运单", "Recent shipments";
    "portal.no_shipments" => "没有符合条件的运单。", "No shipments match.";
    "portal.from" => "发货日期从", "Ordered from";
    "portal.to" => "至（不含）", "To (before)";
    "portal.ordered" => "下单时间", "Ordered";
    "portal.promised" => "承诺送达", "Promised by";
    "portal.delivered" => "签收时间", "Delivered";
    "portal.route" => "线路", "Route";
    "portal.product" => "产品", "Product";
    "portal.pieces" => "件数", "Pieces";
    "portal.charge" => "运费", "Charge";
    "portal.tracking" => "物流轨迹", "Tracking";
    "portal.no_tracking" => "暂无轨迹。", "No tracking events yet.";
    "portal.no_invoices" => "暂无账单。", "No invoices.";
    "portal.no_tickets" => "暂无投诉、理赔或咨询。", "No complaints, claims or inquiries.";
    "portal.opened" => "提交时间", "Opened";
    "portal.claimed" => "索赔金额", "Claimed";
    "portal.settled" => "赔付金额", "Settled";
    "portal.resolution" => "处理结果", "Resolution";
    "portal.progress" => "处理进度", "Progress";
    "portal.step.register" => "已受理", "Received";
    "portal.step.investigate" => "调查处理中", "Being handled";
    "portal.step.resolve" => "已处理", "Resolved";
    "portal.step.callback_failed" => "回访未通过，重新处理", "Not settled at the callback; reopened";
    "portal.step.confirm" => "回访确认", "Confirmed at the callback";
    "portal.step.close" => "已结案", "Closed";
    "portal.file" => "提交投诉、理赔或咨询", "File a complaint, claim or inquiry";
    "portal.file_about" => "就此运单提交投诉或理赔", "Complain or claim about this shipment";
    "portal.waybills" => "相关运单号", "Waybill numbers";
    "portal.waybills_hint" => "本公司的运单，多个用逗号分隔", "Your company's waybills, separated by commas";
    "portal.description" => "情况说明", "What happened";
    "portal.claimed_yuan" => "索赔金额（元）", "Amount claimed (yuan)";
    "portal.claimed_hint" => "理赔必填", "Required for a claim";
    "portal.submit" => "提交", "Submit";
    "portal.callback_title" => "问题解决了吗？", "Is it settled?";
    "portal.callback_explain" => "我们已处理此问题。请确认结果；如未解决，工单将重新处理。", "We have dealt with this. Please confirm; if it is not settled, the ticket is reopened.";
    "portal.callback_note" => "补充说明（可选）", "Anything to add (optional)";
    "portal.callback_yes" => "已解决，确认", "Settled, confirm";
    "portal.callback_no" => "未解决，请继续处理", "Not settled, reopen";
    "portal.callback_yes_note" => "客户在自助服务中确认已解决", "The customer confirmed in the portal";
    "portal.callback_no_note" => "客户在自助服务中表示未解决", "The customer said in the portal that it is not settled";
    "portal.files" => "照片与附件", "Photos and files";
    "portal.no_files" => "还没有附件。破损、短少请拍照上传，便于尽快处理。", "No files yet. For damage or shortage, a photo speeds things up.";
    "portal.add_file" => "添加照片或文件", "Add a photo or file";
    "portal.upload" => "上传", "Upload";
    "portal.files_hint" => "JPG、PNG、PDF 等，单个不超过 10 MB，每个工单最多 20 个。", "JPG, PNG, PDF and the like, up to 10 MB each and 20 per ticket.";
    "portal.invite" => "邀请使用客户门户", "Invite to the portal";
    "portal.invite_explain" => "把下面的链接发给该联系人（微信、短信或邮件）。对方打开链接设置密码后，即可登录 /portal 查看本公司的运单、账单和工单。链接只能使用一次；再次邀请会使旧链接失效。", "Send the link below to the contact (WeChat, SMS or e-mail). Opening it, they set a password and can then sign in at /portal to see their company's shipments, invoices and tickets. The link works once; inviting again cancels the old one.";
    "portal.invite_link" => "邀请链接", "Invitation link";
    "portal.invite_expires" => "有效期至 {}", "Valid until {}";
    "portal.back_to_customer" => "返回客户", "Back to the customer";
    "action.portal.invite" => "邀请客户门户账号", "Invited to the portal";
    "action.portal.activate" => "客户门户账号设置密码", "Portal account activated";
    // Webhooks and group bots (issue 22)
    "err.webhook_kind" => "类型应为 webhook、wecom 或 dingtalk", "The kind must be webhook, wecom or dingtalk";
    "err.webhook_url" => "请填写以 http:// 或 https:// 开头、不含用户名密码的地址", "Enter an address starting with http:// or https://, without a user name or password";
    "err.webhook_event" => "包含此类型不支持的事件", "Contains an event this kind does not take";
    "err.webhook_no_events" => "请至少选择一个事件", "Choose at least one event";
    "err.webhook_secret" => "签名密钥应为 16 至 200 个字符", "The signing secret must be 16 to 200 characters";
    "err.webhook_internal" => "不允许发送到内网或本机地址（运维人员可通过 webhooks_allow_private 设置放开）", "Internal and loopback addresses are refused (the operator may allow them with the webhooks_allow_private setting)";
    "err.webhook_busy" => "该投递正在发送中，请稍后再试", "This delivery is being sent; try again in a moment";
    "webhook.title" => "Webhook 与群机器人", "Webhooks and group bots";
    "webhook.intro" => "集成 Webhook 把客户、工单、分级、信用和导入的变化推送给 TMS/ERP 等系统（HMAC 签名，失败自动重试 24 小时）；企业微信和钉钉群机器人把 SLA 超时升级、流失预警和信用超额发到团队群里。", "Integration webhooks tell your TMS, ERP and other systems of changes to customers, tickets, classes, credit and imports (HMAC-signed, retried for 24 hours); WeCom and DingTalk group bots post SLA escalations, churn warnings and credit holds into the team's chat.";
    "webhook.add" => "新增", "Add";
    "webhook.edit" => "修改", "Edit";
    "webhook.none" => "还没有 Webhook 或群机器人。", "No webhooks or group bots yet.";
    "webhook.name" => "名称", "Name";
    "webhook.name_hint" => "如：运输管理系统、华东大客户群", "e.g. TMS, East China key accounts group";
    "webhook.kind" => "类型", "Kind";
    "webhook.url" => "地址", "URL";
    "webhook.url_hint" => "集成 Webhook 填接收方的 HTTPS 地址；群机器人填企业微信或钉钉机器人设置里复制的 Webhook 地址。", "For an integration, the receiver's HTTPS address; for a bot, the webhook address copied from the WeCom or DingTalk robot's settings.";
    "webhook.url_keep" => "留空则保留原地址。", "Leave empty to keep the stored address.";
    "webhook.secret" => "签名密钥", "Signing secret";
    "webhook.secret_hint" => "集成 Webhook 必填（16 至 200 个字符）；钉钉机器人开启“加签”时填其密钥（SEC 开头）；企业微信不需要。", "Required for an integration (16 to 200 characters); for a DingTalk robot with signing (加签) on, its secret (starting SEC); WeCom needs none.";
    "webhook.secret_keep" => "已设置，留空则保留。", "Set; leave empty to keep it.";
    "webhook.team" => "团队", "Team";
    "webhook.team_hint" => "群机器人只发送该团队及下级单位的消息。", "A bot posts only what concerns this team and the units below it.";
    "webhook.whole_company" => "全公司", "Whole company";
    "webhook.lang" => "消息语言", "Message language";
    "webhook.events" => "事件", "Events";
    "webhook.events_for_webhook" => "集成 Webhook 的事件", "Events for an integration webhook";
    "webhook.events_for_bot" => "群机器人的消息", "Messages for a group bot";
    "webhook.active" => "启用", "Active";
    "webhook.on" => "启用", "On";
    "webhook.off" => "停用", "Off";
    "webhook.docs_hint" => "签名验证方法（Python、Node.js 示例）见文档 docs/webhooks.md；API：/api/v1/webhooks。", "How to verify the signature (Python and Node.js examples): docs/webhooks.md; API: /api/v1/webhooks.";
    "webhook.log" => "投递记录", "Delivery log";
    "webhook.state" => "状态", "State";
    "webhook.state.pending" => "待发送", "Pending";
    "webhook.state.delivered" => "已送达", "Delivered";
    "webhook.state.failed" => "已放弃", "Failed";
    "webhook.attempts" => "尝试次数", "Tries";
    "webhook.attempts_n" => "已尝试 {} 次", "{} tries";
    "webhook.next_try" => "下次尝试", "Next try";
    "webhook.at" => "时间", "Time";
    "webhook.event" => "事件", "Event";
    "webhook.status" => "HTTP 状态", "HTTP status";
    "webhook.latency" => "耗时", "Latency";
    "webhook.response" => "响应", "Response";
    "webhook.replay" => "重发", "Replay";
    "webhook.replay_failed" => "重发全部失败投递（{}）", "Replay all failed ({})";
    "webhook.replayed" => "已重新排队发送", "Queued to be sent again";
    "webhook.delete" => "删除", "Delete";
    "webhook.delete_confirm" => "删除此 Webhook 及其投递记录？", "Delete this webhook and its delivery log?";
    "webhook.deleted" => "已删除", "Deleted";
    "webhook.no_deliveries" => "暂无投递。", "No deliveries.";
    "webhook.event.customer.created" => "新建客户", "Customer created";
    "webhook.event.customer.updated" => "客户资料变更", "Customer updated";
    "webhook.event.customer.merged" => "客户合并", "Customers merged";
    "webhook.event.ticket.opened" => "新建工单", "Ticket opened";
    "webhook.event.ticket.escalated" => "工单 SLA 超时升级", "Ticket escalated (SLA)";
    "webhook.event.ticket.closed" => "工单关闭", "Ticket closed";
    "webhook.event.classification.changed" => "客户分级变化", "Classification changed";
    "webhook.event.credit.hold" => "信用超额", "Credit hold";
    "webhook.event.import.finished" => "导入完成", "Import finished";
    "webhook.event.customer.at_risk" => "流失预警", "Customers at risk";
    "webhook.kind.webhook" => "集成 Webhook", "Integration webhook";
    "webhook.kind.wecom" => "企业微信群机器人", "WeCom group bot";
    "webhook.kind.dingtalk" => "钉钉群机器人", "DingTalk group bot";
    "action.webhook.create" => "新增 Webhook", "Added a webhook";
    "action.webhook.update" => "修改 Webhook", "Changed a webhook";
    "action.webhook.delete" => "删除 Webhook", "Deleted a webhook";
    "action.webhook.replay" => "重发 Webhook 投递", "Replayed webhook deliveries";
    "bot.escalated.title" => "SLA 超时升级：{}", "SLA breach escalated: {}";
    "bot.escalated.response" => "首次响应", "first response";
    "bot.escalated.resolution" => "解决", "resolution";
    "bot.escalated.text" => "工单 {}《{}》（客户：{}）的{}时限 {} 已过，已升级至 {}。", "Ticket {} “{}” (customer {}): the {} deadline {} has passed; escalated to {}.";
    "bot.open_ticket" => "查看工单", "Open the ticket";
    "bot.at_risk.title" => "流失预警：{} 位客户", "Churn warning: {} customers";
    "bot.at_risk.text" => "{} 的客户分级中，以下客户新出现流失预警：", "The classification as of {} newly flagged these customers at risk:";
    "bot.at_risk.more" => "……另有 {} 位", "… and {} more";
    "bot.open_at_risk" => "查看流失预警客户", "Open the customers at risk";
    "bot.credit_hold.title" => "信用超额：{}", "Credit hold: {}";
    "bot.credit_hold.text" => "客户 {} 已超出信用额度：占用 ¥{}，额度 ¥{}。", "Customer {} is over its credit limit: exposure ¥{}, limit ¥{}.";
    "bot.credit_hold.block" => "新运单将暂扣，待信用专员放行。", " New shipments are held until a credit officer releases them.";
    "bot.credit_hold.warn" => "运单照常放行，请尽快跟进回款。", " Shipments still go through; follow up on payment soon.";
    "bot.open_credit" => "查看客户信用", "Open the customer's credit";
    "action.credit.assess" => "信用评估", "Assessed credit";
    "action.credit.statement_add" => "录入财务报表", "Entered a financial statement";
    "action.credit.statement_update" => "修改财务报表", "Changed a financial statement";
    "credit.aging_title" => "应收账龄", "Receivables aging";
    "credit.as_of" => "截至 {}", "As of {}";
    "credit.dso" => "应收账款周转天数（DSO）", "Days sales outstanding (DSO)";
    "credit.days_value" => "{} 天", "{} days";
    "credit.dso_trend" => "DSO 月度趋势", "DSO by month";
    "credit.dso_note" => "每月末应收账款 ÷ 截至该月的三个月运费收入 × 天数。", "Receivables at each month's end ÷ revenue of the three months to it × their days.";
    "credit.top_overdue" => "逾期最多的客户", "Customers most overdue";
    "credit.no_overdue" => "没有逾期的应收款", "Nothing is overdue";
    "credit.no_receivables" => "没有未收款项", "No receivables";
    "credit.oldest_days" => "最长逾期天数", "Oldest, days overdue";
    "credit.aging_by" => "分组账龄", "Aging by group";
    "credit.customers" => "客户数", "Customers";
    "credit.group.owner" => "客户经理", "Account manager";
    "credit.group.unit" => "部门", "Unit";
    "credit.group.customer" => "客户", "Customer";
    "credit.pool_group" => "公海客户", "Customer pool";
    "err.aging_group" => "分组应为 owner、unit 或 customer", "The grouping must be owner, unit or customer";
    "credit.collections" => "欠账追收", "Collections";
    "credit.promises" => "付款承诺", "Promises to pay";
    "credit.promises_none" => "尚无付款承诺", "No promise yet";
    "credit.promise_add" => "记录付款承诺", "Log a promise to pay";
    "credit.promise_amount" => "承诺金额", "Amount promised";
    "credit.promised_on" => "承诺日期", "Promised by";
    "credit.promise_note" => "沟通记录", "Call notes";
    "credit.promise_paid" => "期间已付", "Paid since";
    "credit.promise_saved" => "付款承诺已记录", "Promise logged";
    "credit.promise_state.pending" => "待兑现", "Pending";
    "credit.promise_state.kept" => "已兑现", "Kept";
    "credit.promise_state.broken" => "已违约", "Broken";
    "credit.promise_counts" => "已兑现 {} 次，违约 {} 次", "{} kept, {} broken";
    "credit.taken_by" => "记录人", "Taken by";
    "credit.remind_after_days" => "逾期多少天提醒客户经理追收", "Remind the owner after (days overdue)";
    "credit.escalate_after_days" => "逾期多少天升级给部门经理", "Escalate to the managers after (days overdue)";
    "task.title.collection" => "追收欠款：{}，逾期 ¥{}（最长 {} 天）", "Collect from {}: ¥{} overdue (oldest {} days)";
    "task.title.collection_escalated" => "欠款升级：{}，逾期 ¥{}（最长 {} 天）", "Escalated collection: {}: ¥{} overdue (oldest {} days)";
    "notify.collection_escalated" => "客户 {} 逾期 ¥{}，最长 {} 天，已升级给您追收", "Customer {}: ¥{} overdue (oldest {} days), escalated to you";
    "err.promise_past" => "承诺日期不能早于今天", "The promised date cannot be before today";
    "action.credit.promise" => "记录付款承诺", "Logged a promise to pay";
    "action.survey.answer" => "客户回答满意度调查", "A customer answered a survey";
    "action.survey.export" => "导出满意度调查", "Exported surveys";
    "task.title.survey_low" => "满意度低分回访（CSAT {}，NPS {}）", "Call back after a low survey score (CSAT {}, NPS {})";
    "task_kind.survey_callback" => "低分回访", "Low-score callback";
    "err.survey_required" => "请回答此题", "Please answer this question";
    "err.survey_score" => "分数不在可选范围内", "The score is not one of the choices";
    "err.survey_answered" => "此问卷已经回答过", "This survey has been answered already";
    "err.survey_expired" => "此问卷已过期", "This survey has expired";
    "err.survey_policy" => "取值超出允许范围", "The value is out of range";
    "survey.page_title" => "服务满意度调查", "Service satisfaction survey";
    "survey.intro_delivery" => "您的运单 {} 已签收。请花一分钟告诉我们这次服务如何。", "Your shipment {} has been delivered. Please take a minute to tell us how we did.";
    "survey.intro_ticket" => "您的工单 {} 已处理完毕。请告诉我们处理得如何。", "Your case {} has been closed. Please tell us how we handled it.";
    "survey.intro_service" => "请花一分钟告诉我们近期的服务如何。", "Please take a minute to tell us how our service has been lately.";
    "survey.q_csat" => "总体而言，您对这次服务满意吗？", "Overall, how satisfied are you with the service?";
    "survey.csat.1" => "非常不满意", "Very dissatisfied";
    "survey.csat.2" => "不满意", "Dissatisfied";
    "survey.csat.3" => "一般", "Neutral";
    "survey.csat.4" => "满意", "Satisfied";
    "survey.csat.5" => "非常满意", "Very satisfied";
    "survey.q_nps" => "您有多大可能向朋友或同事推荐我们？", "How likely are you to recommend us to a friend or colleague?";
    "survey.nps_low" => "0 = 完全不可能", "0 = not at all likely";
    "survey.nps_high" => "10 = 极有可能", "10 = extremely likely";
    "survey.q_dims" => "各方面表现如何？（1 很差，5 很好）", "How did we do on each? (1 poor, 5 excellent)";
    "survey.perception" => "实际表现", "What you got";
    "survey.expectation" => "您的期望（可选）", "What you expect (optional)";
    "survey.q_comment" => "还有什么想告诉我们的？（可选）", "Anything else you would like to tell us? (optional)";
    "survey.submit" => "提交", "Submit";
    "survey.thanks_title" => "感谢您的反馈", "Thank you for your feedback";
    "survey.thanks" => "您的回答已收到。", "Your answer has been received.";
    "survey.thanks_low" => "很抱歉这次没有让您满意，您的客户经理会尽快与您联系。", "We are sorry we fell short; your account manager will contact you shortly.";
    "survey.answered_title" => "此问卷已回答", "This survey has been answered";
    "survey.answered" => "每个链接只能回答一次。感谢您的参与。", "Each link takes one answer. Thank you for taking part.";
    "survey.expired_title" => "此问卷已过期", "This survey has expired";
    "survey.expired" => "链接已于 {} 失效。", "The link expired on {}.";
    "survey.not_found_title" => "链接无效", "This link is not valid";
    "survey.not_found" => "请检查链接是否完整复制。", "Please check that the whole link was copied.";
    "survey.valid_until" => "链接有效期至 {}，只能提交一次。", "The link is valid until {} and takes one answer.";
    "survey.errors" => "请检查标出的问题。", "Please check the questions marked.";
    "survey.dim.timeliness" => "时效", "Timeliness";
    "survey.dim.cargo_safety" => "货物安全", "Cargo safety";
    "survey.dim.accuracy" => "准确性", "Accuracy";
    "survey.dim.attitude" => "服务态度", "Attitude";
    "survey.dim.price" => "价格", "Price";
    "survey.trigger.delivery" => "签收后", "After delivery";
    "survey.trigger.ticket" => "工单关闭后", "After a closed ticket";
    "survey.trigger.manual" => "手动发出", "Made by hand";
    "survey.status.open" => "待回答", "Waiting";
    "survey.status.answered" => "已回答", "Answered";
    "survey.status.expired" => "已过期", "Expired";
    "survey.status.low" => "低分", "Low scores";
    "survey.channel.email" => "邮件", "E-mail";
    "survey.channel.link" => "链接（手动发送）", "Link (send by hand)";
    "survey.mail.subject" => "邀请您评价我们的服务", "How did we do?";
    "survey.mail.about_delivery" => "您的运单 {} 已签收。", "Your shipment {} has been delivered.";
    "survey.mail.about_ticket" => "您的工单 {} 已处理完毕。", "Your case {} has been closed.";
    "survey.mail.about_service" => "我们希望了解您对近期服务的评价。", "We would like to hear how our service has been.";
    "survey.mail.hello_named" => "{}，您好：", "Dear {},";
    "survey.mail.hello" => "您好：", "Hello,";
    "survey.mail.ask" => "请点击下面的链接，用一分钟回答几个问题：", "Please answer a few questions (one minute) at this link:";
    "survey.mail.until" => "链接有效期至 {}，只能回答一次。", "The link is valid until {} and takes one answer.";
    "survey.title" => "满意度调查", "Satisfaction surveys";
    "survey.note" => "{} 所见客户的问卷（按发出日）与回答（按回答日）。", "Surveys (by the day made) and answers (by the day given) of the customers you see, {}.";
    "survey.made" => "已发出", "Made";
    "survey.answered_n" => "已回答", "Answered";
    "survey.response_rate" => "回复率", "Response rate";
    "survey.answers" => "回答", "Answers";
    "survey.csat" => "满意度 CSAT", "CSAT";
    "survey.nps" => "净推荐值 NPS", "NPS";
    "survey.trend" => "月度趋势", "By month";
    "survey.month" => "月份", "Month";
    "survey.gaps" => "服务质量差距（SERVQUAL）", "Service quality gaps (SERVQUAL)";
    "survey.dimension" => "服务维度", "Dimension";
    "survey.gap" => "差距", "Gap";
    "survey.gap_note" => "差距 = 实际表现 − 期望（只计两项都打分的回答），负值表示未达客户期望。", "Gap = perception − expectation (over answers that scored both); negative means below what customers expect.";
    "survey.verbatims" => "客户原话", "What customers wrote";
    "survey.list" => "问卷", "Surveys";
    "survey.kind" => "类型", "Type";
    "survey.status" => "状态", "Status";
    "survey.contact" => "联系人", "Contact";
    "survey.subject" => "关于", "About";
    "survey.created" => "发出时间", "Made";
    "survey.channel" => "发送方式", "Sent by";
    "survey.link" => "问卷链接", "Survey link";
    "survey.comment" => "客户留言", "Comment";
    "survey.copy" => "复制", "Copy";
    "survey.new" => "发送满意度调查", "Send a survey";
    "survey.new_note" => "生成问卷链接，可复制后通过微信等发给联系人；有邮箱的联系人会收到邮件。", "Makes a survey link to send over WeChat or the like; a contact with an e-mail address gets it by e-mail.";
    "survey.made_flash" => "问卷已生成，链接如下。", "Survey made; its link is below.";
    "survey.task" => "回访任务", "Callback task";
    "survey.none" => "暂无问卷", "No surveys yet";
    "survey.all" => "全部问卷", "All surveys";
    "survey.no_answers" => "期间内没有回答", "No answers in this period";
    "survey.customer_panel" => "满意度调查", "Satisfaction surveys";
    "survey.primary_contact" => "主要联系人", "Primary contact";
    "ticket.all_of_customer" => "全部工单", "All tickets";
    "ticket.step" => "处理步骤", "Step";
    "ticket.breach" => "超时项", "Breach";
    "ticket.breach_response" => "首次响应超时", "First response overdue";
    "ticket.breach_resolution" => "处理超时", "Resolution overdue";
    "ticket.deadline" => "时限", "Deadline";
    "ticket.escalated_to" => "升级给", "Escalated to";
    "action.shipment.write" => "写入运单", "Wrote shipments";
    "action.shipment.export" => "导出运单", "Exported shipments";
    "action.shipment.delete" => "删除运单", "Deleted shipment";
    "err.file_type" => "不支持的文件类型：请上传 CSV 或 XLSX", "Unsupported file type: upload CSV or XLSX";
    "err.no_sheet" => "Excel 文件中没有工作表", "The Excel file has no worksheet";
    "err.email_format" => "邮箱格式不正确", "Not a valid email address";
    "err.uscc_format" => "统一社会信用代码应为 18 位", "A unified social credit code has 18 characters";
    "err.uscc_checksum" => "统一社会信用代码校验位不正确", "The unified social credit code's check character is wrong";
    "err.id_number_format" => "身份证号应为 18 位", "An ID number has 18 characters";
    "err.id_number_checksum" => "身份证号校验位不正确", "The ID number's check character is wrong";
    "err.invalid_choice" => "不是有效选项", "Not a valid choice";
    "err.gov_level_only_government" => "只有政府及其他机构可以设置级别", "Only a government body or institution has a level";
    "err.unknown_user" => "用户不存在", "No such user";
    "err.unknown_unit" => "组织不存在", "No such organisation unit";
    "err.owner_out_of_scope" => "不能分配给您管辖范围以外的客户经理", "Cannot assign to an account manager outside your unit";
    "err.duplicate_code" => "客户编号已存在", "This customer code is already taken";
    "err.idempotency_key_invalid" => "Idempotency-Key 须为 1 至 255 个可见 ASCII 字符", "Idempotency-Key must be 1 to 255 visible ASCII characters";
    "err.idempotency_mismatch" => "此 Idempotency-Key 已用于另一个请求", "This Idempotency-Key was already used for a different request";
    "err.idempotency_in_progress" => "使用此 Idempotency-Key 的请求仍在处理中，请稍后重试", "A request with this Idempotency-Key is still being processed; retry shortly";
    "err.duplicate_username" => "用户名已存在", "This username is already taken";
    "err.password_short" => "密码至少 8 位", "The password needs at least 8 characters";
    "err.merge_self" => "不能与自身合并", "A customer cannot be merged into itself";
    "err.merge_target_missing" => "目标客户不存在或无权访问", "Target customer not found or not accessible";
    "err.archived" => "客户已归档，请先恢复", "The customer is archived; restore it first";
    "err.not_in_pool" => "该客户不在公海中", "This customer is not in the pool";
    "err.invalid_json" => "请求体不是有效的 JSON", "The request body is not valid JSON";
    "err.invalid_number" => "不是有效的数字", "Not a valid number";
    "err.unknown_field" => "不支持的字段", "Unknown field";
    "err.invalid_type" => "类型不正确", "Wrong type";
    "err.custom_field_format" => "每行格式应为 名称=值", "Each line must read name=value";
    "problem.unauthorized" => "需要登录或有效的 API 令牌", "Sign-in or a valid API token is required";
    "problem.forbidden" => "没有执行此操作的权限", "You are not allowed to do this";
    "problem.csrf" => "表单已失效（CSRF 校验失败），请刷新页面后重试", "The form has expired (CSRF check failed); reload the page and try again";
    "problem.not_found" => "未找到", "Not found";
    "problem.conflict" => "与现有数据冲突", "Conflicts with existing data";
    "problem.validation" => "输入有误", "Invalid input";
    "problem.too_many" => "请求过于频繁", "Too many requests";
    "problem.internal" => "服务器内部错误，已记录日志", "Internal server error; it has been logged";
    "problem.bad_request" => "请求格式错误", "Malformed request";
    "page.error" => "出错了", "Something went wrong";
    "page.not_found" => "页面不存在或您无权访问", "The page does not exist or you may not see it";
    "page.forbidden" => "您没有访问此页面的权限", "You are not allowed to see this page";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr;q=1, en;q=0.5"), Lang::En);
    }

    #[test]
    fn placeholders() {
        assert_eq!(Lang::En.tf("common.page", &[&2, &9]), "Page 2 of 9");
        assert_eq!(Lang::Zh.tf("common.total", &[&15]), "共 15 条");
    }

    #[test]
    fn vocabularies_are_translated() {
        use crate::customer::*;
        let mut keys: Vec<&str> = Vec::new();
        keys.extend(CustomerKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(GovLevel::ALL.iter().map(|v| v.label_key()));
        keys.extend(ServiceMode::ALL.iter().map(|v| v.label_key()));
        keys.extend(DataSource::ALL.iter().map(|v| v.label_key()));
        keys.extend(CustomerStatus::ALL.iter().map(|v| v.label_key()));
        keys.extend(Industry::ALL.iter().map(|v| v.label_key()));
        keys.extend(
            crate::shipment::ShipmentStatus::ALL
                .iter()
                .map(|v| v.label_key()),
        );
        keys.extend(
            crate::shipment::Exception::ALL
                .iter()
                .map(|v| v.label_key()),
        );
        keys.extend(crate::role::Role::ALL.iter().map(|v| v.label_key()));
        {
            use crate::classify::*;
            keys.extend(Grade::ALL.iter().map(|v| v.label_key()));
            keys.extend(ValueClass::ALL.iter().map(|v| v.label_key()));
            keys.extend(Lifecycle::ALL.iter().map(|v| v.label_key()));
            keys.extend(RfmSegment::ALL.iter().map(|v| v.label_key()));
        }
        {
            use crate::followup::*;
            keys.extend(InteractionKind::ALL.iter().map(|v| v.label_key()));
            keys.extend(TaskKind::ALL.iter().map(|v| v.label_key()));
            keys.extend(TaskStatus::ALL.iter().map(|v| v.label_key()));
        }
        keys.extend(crate::credit::HoldPolicy::ALL.iter().map(|v| v.label_key()));
        keys.extend(
            crate::credit::assessment::Method::ALL
                .iter()
                .map(|v| v.label_key()),
        );
        keys.extend(
            crate::credit::CreditStatus::ALL
                .iter()
                .map(|v| v.label_key()),
        );
        {
            use crate::improvements::*;
            keys.extend(Stage::ALL.iter().map(|v| v.label_key()));
            keys.extend(Source::ALL.iter().map(|v| v.label_key()));
        }
        {
            use crate::surveys::*;
            keys.extend(SurveyTrigger::ALL.iter().map(|v| v.label_key()));
            keys.extend(Dimension::ALL.iter().map(|v| v.label_key()));
            keys.extend(SurveyStatus::ALL.iter().map(|v| v.label_key()));
        }
        {
            use crate::service::*;
            keys.extend(TicketKind::ALL.iter().map(|v| v.label_key()));
            keys.extend(Channel::ALL.iter().map(|v| v.label_key()));
            keys.extend(Severity::ALL.iter().map(|v| v.label_key()));
            keys.extend(Status::ALL.iter().map(|v| v.label_key()));
            keys.extend(Action::ALL.iter().map(|v| v.label_key()));
            keys.extend(RootCause::ALL.iter().map(|v| v.label_key()));
        }
        for k in keys {
            assert!(KEYS.contains(&k), "missing translation for {k}");
        }
    }

    #[test]
    fn no_duplicate_keys() {
        let mut k = KEYS.to_vec();
        k.sort_unstable();
        let n = k.len();
        k.dedup();
        assert_eq!(n, k.len());
    }
}
