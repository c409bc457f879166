"""Every string of the interface in English and Chinese.

Templates call ``t("key")``; a key missing here is a bug that the tests
catch (they read every key used in the templates and in the code), and a
missing key renders as the key itself rather than breaking the page.
"""

from __future__ import annotations

from collections.abc import Callable

from alerts.emails import DOC_TYPE_NAMES
from store.models import AlertStatus, DeliveryStatus, Severity, TagMethod

LANGUAGES = ("zh", "en")

# key: (English, Chinese)
STRINGS: dict[str, tuple[str, str]] = {
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "save": ("Save", "保存"),
    "nav.queue": ("Review queue", "审核队列"),
    "nav.enterprises": ("Enterprises", "企业"),
    "nav.cases": ("Cases", "案件"),
    "nav.sources": ("Sources", "信息源"),
    "nav.runs": ("Runs", "运行记录"),
    "nav.deliveries": ("Deliveries", "投递记录"),
    "nav.audit": ("Audit log", "审计日志"),
    "nav.users": ("Users", "用户"),
    "nav.api": ("API", "API"),
    "nav.logout": ("Sign out", "退出"),
    "nav.other_language": ("中文", "English"),
    "role.inspector": ("inspector", "审核员"),
    "role.admin": ("admin", "管理员"),
    "language.zh": ("Chinese", "中文"),
    "language.en": ("English", "英文"),
    "frequency.weekly": ("weekly", "每周"),
    "frequency.daily": ("daily", "每日"),
    "error.title": ("Not possible", "无法完成"),
    "error.forbidden": ("Your role does not allow this page.", "您的角色无权访问此页面。"),
    "error.csrf": (
        "The form had expired or did not come from this site. Reload the page and try again.",
        "表单已过期或并非来自本站。请刷新页面后重试。",
    ),
    "error.not_found": ("There is no such record.", "没有该记录。"),
    "error.bad_value": (
        "A value in the form or the address cannot be stored or searched for (a NUL character, "
        "or text too long); nothing was changed.",
        "表单或地址中有无法保存或搜索的值（空字符或文字过长），未做任何更改。",
    ),
    "error.database_busy": (
        "The database is busy or unavailable just now; nothing was changed. Try again in a moment.",
        "数据库暂时繁忙或不可用，未做任何更改。请稍后重试。",
    ),
    "login.title": ("Sign in", "登录"),
    "login.username": ("User name", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.failed": ("Wrong user name or password.", "用户名或密码错误。"),
    "login.busy": (
        "Too many sign-ins at this moment: try again in a minute.",
        "当前登录请求过多，请稍后再试。",
    ),
    "login.too_many": (
        "Too many failed sign-ins. Wait 15 minutes and try again.",
        "登录失败次数过多。请 15 分钟后再试。",
    ),
    "account.title": ("Your account", "我的账户"),
    "account.api_token": ("API token", "API 令牌"),
    "account.password": ("Password", "密码"),
    "account.current_password": ("Current password", "当前密码"),
    "account.new_password": ("New password (10 characters or more)", "新密码（至少 10 个字符）"),
    "account.password_changed": ("Password changed.", "密码已修改。"),
    "account.token_help": (
        "Send it as 'Authorization: Bearer <token>'. "
        "A new token replaces the old one and is shown only once.",
        "请以 'Authorization: Bearer <令牌>' 发送。新令牌会替换旧令牌，且只显示一次。",
    ),
    "account.new_token": ("Issue a new token", "生成新令牌"),
    "account.token_issued": ("New API token issued. Copy it now.", "已生成新的 API 令牌，请立即复制。"),
    "queue.title": ("Review queue", "审核队列"),
    "queue.filters": ("Filters", "筛选"),
    "queue.status": ("Status", "状态"),
    "queue.severity": ("Severity", "严重程度"),
    "queue.country": ("Country", "国家/地区"),
    "queue.kind": ("Kind of measure", "措施类型"),
    "queue.chapter": ("HS chapter", "HS 章"),
    "queue.deadline_before": ("Comment deadline by", "评议截止日不晚于"),
    "queue.source": ("Source", "信息源"),
    "queue.any": ("any", "全部"),
    "queue.apply": ("Filter", "筛选"),
    "queue.bad_filter": ("Filter not understood and ignored", "无法识别的筛选条件，已忽略"),
    "queue.truncated": (
        "Only the first {limit} alerts are shown: narrow the filters to see the rest.",
        "仅显示前 {limit} 条预警：请缩小筛选范围查看其余预警。",
    ),
    "queue.empty": ("No alerts match these filters.", "没有符合条件的预警。"),
    "queue.enterprise": ("Enterprise", "企业"),
    "queue.reason": ("Why", "匹配原因"),
    "queue.note": ("Note", "备注"),
    "queue.select": ("Select", "选择"),
    "queue.common_note": (
        "Note for ticked alerts without their own",
        "勾选预警的统一备注（未单独填写时使用）",
    ),
    "queue.approve": ("Approve ticked", "批准所选"),
    "queue.reject": ("Reject ticked", "驳回所选"),
    "queue.save_notes": ("Save notes only", "仅保存备注"),
    "queue.none_ticked": ("Tick at least one alert.", "请至少勾选一条预警。"),
    "queue.approved": ("{count} alert(s) approved.", "已批准 {count} 条预警。"),
    "queue.rejected": ("{count} alert(s) rejected.", "已驳回 {count} 条预警。"),
    "queue.notes_saved": ("{count} note(s) saved.", "已保存 {count} 条备注。"),
    "queue.refused": (
        "Not pending review, left as they are: {ids}",
        "以下预警不在待审核状态，未作更改：{ids}",
    ),
    "queue.bad_decision": ("Unknown decision.", "未知的操作。"),
    "notice.title": ("Notice", "通报"),
    "notice.external_id": ("Reference", "编号"),
    "notice.subject_countries": ("Subject countries", "涉案国家"),
    "notice.published": ("Published", "发布日期"),
    "notice.comment_deadline": ("Comment deadline", "评议截止日"),
    "notice.effective": ("In force from", "生效日期"),
    "notice.url": ("Original", "原文"),
    "notice.text": ("Text", "正文"),
    "notice.follows_up": ("Follows up", "后续通报，原通报"),
    "notice.revised": ("Version (publisher changed it)", "版本（发布方已修改）"),
    "notice.tags": ("Product tags", "产品标签"),
    "notice.code": ("HS code", "HS 编码"),
    "notice.method": ("Method", "方法"),
    "notice.score": ("Score", "得分"),
    "notice.version": ("Tagger", "标注器版本"),
    "notice.no_tags": ("No tags.", "无标签。"),
    "notice.remove_tag": ("Remove (wrong)", "删除（错误）"),
    "notice.add_code": ("HS code", "HS 编码"),
    "notice.add_tag": ("Add as inspector tag", "添加为审核员标签"),
    "notice.tag_help": (
        "An inspector's tag survives re-tagging and is kept as a training example; a removed tag "
        "is recorded in the audit log (a new tagger version may propose it again). "
        "The notice is matched again at once.",
        "审核员标签在重新标注时保留，并作为训练样本；删除的标签记录在审计日志中"
        "（新版本标注器可能再次给出）。通报会立即重新匹配。",
    ),
    "notice.tag_cut": (
        "This notice is long: the tagger read {read} of its {total} characters (its start and its end).",
        "本通报过长：标注器只读取了全部 {total} 个字符中的 {read} 个（开头和结尾）。",
    ),
    "notice.tag_failed": ("Tagging this notice failed: {error}", "本通报标注失败：{error}"),
    "notice.tag_added": ("Tag {code} added; alerts matched again.", "已添加标签 {code}，并已重新匹配。"),
    "notice.tag_removed": ("Tag {code} removed; alerts matched again.", "已删除标签 {code}，并已重新匹配。"),
    "notice.bad_code": ("Not added: {problem}", "未添加：{problem}"),
    "notice.alerts": ("Alerts", "预警"),
    "notice.no_alerts": ("No alerts.", "无预警。"),
    "enterprises.title": ("Enterprises", "企业"),
    "enterprises.name": ("Name", "名称"),
    "enterprises.name_en": ("English name", "英文名称"),
    "enterprises.emails": ("E-mail addresses", "电子邮件地址"),
    "enterprises.products": ("Products (HS codes)", "产品（HS 编码）"),
    "enterprises.markets": ("Export markets", "出口市场"),
    "enterprises.keywords": ("Keywords", "关键词"),
    "enterprises.followed_cases": ("Followed cases", "关注的案件"),
    "enterprises.home_country": ("Home country", "所在国"),
    "enterprises.language": ("Language", "语言"),
    "enterprises.frequency": ("Digest frequency", "摘要频率"),
    "enterprises.active": ("Active", "启用"),
    "enterprises.contacts": ("Contacts", "联系人"),
    "enterprises.unsubscribed": ("unsubscribed", "已退订"),
    "enterprises.edit": ("Edit", "编辑"),
    "enterprises.none": ("No enterprises yet.", "尚无企业。"),
    "enterprises.list_help": (
        "Separate several values with ';', e.g. 6115; 4418.75 or US; EU; JP.",
        "多个值用 ';' 分隔，例如 6115; 4418.75 或 US; EU; JP。",
    ),
    "enterprise.saved": ("Enterprise saved.", "企业信息已保存。"),
    "import.title": ("Import enterprises", "导入企业"),
    "import.help": (
        "CSV (UTF-8) or XLSX with the columns name, email, hs_codes, markets, language "
        "(optional: name_en, keywords, frequency, home_country, followed_cases, active). "
        "A file with any error is refused whole.",
        "CSV（UTF-8）或 XLSX 文件，列为 name、email、hs_codes、markets、language"
        "（可选：name_en、keywords、frequency、home_country、followed_cases、active）。"
        "文件有任何错误都将整体拒绝导入。",
    ),
    "import.file": ("File", "文件"),
    "import.no_file": ("Choose a .csv or .xlsx file first.", "请先选择 .csv 或 .xlsx 文件。"),
    "import.submit": ("Import", "导入"),
    "import.done": (
        "Imported: {created} created, {updated} updated.",
        "导入完成：新建 {created} 家，更新 {updated} 家。",
    ),
    "digest.title": ("Digest preview", "摘要预览"),
    "digest.explain": (
        "The mail this enterprise would receive if digests were sent now. Nothing is stored or sent.",
        "若现在发送摘要，该企业将收到的邮件。此预览不会保存或发送任何内容。",
    ),
    "digest.period": ("Period", "期间"),
    "digest.recipient": ("First recipient", "首位收件人"),
    "digest.no_recipient": ("no subscribed contact: nothing would be sent", "无订阅联系人：不会发送"),
    "digest.subject": ("Subject", "主题"),
    "digest.alerts": ("Alerts", "预警数"),
    "digest.html": ("As the mail shows it", "邮件显示效果"),
    "digest.text": ("Plain text", "纯文本"),
    "digest.empty": (
        "No approved alerts are waiting: no digest would be sent (a digest is never empty).",
        "没有待发送的已批准预警：不会发送摘要（摘要从不为空）。",
    ),
    "deliveries.title": ("Delivery log", "投递记录"),
    "deliveries.email": ("Recipient", "收件人"),
    "deliveries.status": ("Status", "状态"),
    "deliveries.attempts": ("Attempts", "尝试次数"),
    "deliveries.sent_at": ("Sent", "发送时间"),
    "deliveries.last_error": ("Last error", "最近错误"),
    "deliveries.none": ("No deliveries.", "无投递记录。"),
    "sources.title": ("Sources", "信息源"),
    "sources.slug": ("Source", "信息源"),
    "sources.kind": ("Kind", "类型"),
    "sources.health": ("Health", "状态"),
    "sources.last_success": ("Last success", "最近成功"),
    "sources.failures": ("Failures in a row", "连续失败"),
    "sources.last_error": ("Last error", "最近错误"),
    "sources.notices": ("Notices", "通报数"),
    "sources.enable": ("Enable", "启用"),
    "sources.disable": ("Disable", "停用"),
    "sources.none": ("No sources yet.", "尚无信息源。"),
    "sources.saved": ("Source {slug} saved.", "信息源 {slug} 已保存。"),
    "health.ok": ("ok", "正常"),
    "health.failing": ("failing", "失败"),
    "health.stale": ("no success for 3 days", "3 天未成功"),
    "health.never": ("never succeeded", "从未成功"),
    "health.disabled": ("disabled", "已停用"),
    "runs.title": ("Stage runs", "运行记录"),
    "runs.stage": ("Stage", "阶段"),
    "runs.started": ("Started", "开始"),
    "runs.finished": ("Finished", "结束"),
    "runs.status": ("Status", "状态"),
    "runs.counts": ("Counts", "计数"),
    "runs.error": ("Error", "错误"),
    "runs.none": ("No runs yet.", "尚无运行记录。"),
    "cases.title": ("Trade remedy cases", "贸易救济案件"),
    "cases.case": ("Case", "案件"),
    "cases.product": ("Product", "产品"),
    "cases.notices": ("Notices", "通报数"),
    "cases.timeline": ("Notices in date order", "按日期排列的通报"),
    "cases.no_notices": ("No notices.", "无通报。"),
    "cases.none": ("No cases yet.", "尚无案件。"),
    "audit.title": ("Audit log", "审计日志"),
    "audit.at": ("When", "时间"),
    "audit.actor": ("Who", "操作人"),
    "audit.action": ("Action", "操作"),
    "audit.object": ("Object", "对象"),
    "audit.detail": ("Detail", "详情"),
    "audit.none": ("No events.", "无记录。"),
    "audit.older": ("Older events", "更早的记录"),
    "users.title": ("Users", "用户"),
    "users.role": ("Role", "角色"),
    "users.add": ("Add user", "添加用户"),
    "users.added": ("User {username} added.", "已添加用户 {username}。"),
    "users.saved": ("User {username} saved.", "用户 {username} 已保存。"),
    "users.refused": (
        "Not changed: you cannot demote or deactivate yourself.",
        "未更改：不能降低自己的角色或停用自己的账户。",
    ),
    "unsubscribe.title": ("Unsubscribe", "退订"),
    "unsubscribe.confirm": (
        "Stop sending BarrierWatch digests for {enterprise} to {email}?",
        "是否停止向 {email} 发送 {enterprise} 的 BarrierWatch 摘要？",
    ),
    "unsubscribe.submit": ("Unsubscribe", "确认退订"),
    "unsubscribe.done": ("{email} will receive no more digests.", "{email} 将不再收到摘要。"),
    "preferences.title": ("Alert preferences", "预警偏好"),
    "preferences.help": (
        "Which products and export markets you receive alerts for, in which language and how often.",
        "设置接收预警的产品与出口市场、语言和频率。",
    ),
    "preferences.saved": ("Preferences saved.", "偏好已保存。"),
    "link.title": ("Link not valid", "链接无效"),
    "api.title": ("JSON API", "JSON API"),
    "api.help": (
        "Every call needs your API token in the header 'Authorization: Bearer <token>'.",
        "每个请求都需要在请求头 'Authorization: Bearer <令牌>' 中携带您的 API 令牌。",
    ),
    "api.parameter": ("Parameter", "参数"),
    "api.in": ("In", "位置"),
    "api.required": ("Required", "必填"),
    "api.schemas": ("Schemas", "数据结构"),
}

_STATUS_ZH = {
    AlertStatus.PENDING_REVIEW: "待审核",
    AlertStatus.APPROVED: "已批准",
    AlertStatus.REJECTED: "已驳回",
    AlertStatus.WITHDRAWN: "已撤回",
    AlertStatus.SENT: "已发送",
}
_SEVERITY_ZH = {Severity.CRITICAL: "紧急", Severity.HIGH: "高", Severity.NORMAL: "一般"}
_DELIVERY_ZH = {
    DeliveryStatus.PENDING: "待发送",
    DeliveryStatus.SENDING: "发送中",
    DeliveryStatus.SENT: "已发送",
    DeliveryStatus.FAILED: "失败",
}
_METHOD_EN = {
    TagMethod.PUBLISHER: "stated by the publisher",
    TagMethod.EXPLICIT: "code in the text",
    TagMethod.TERMS: "product terms",
    TagMethod.MODEL: "model",
    TagMethod.INSPECTOR: "inspector",
}
_METHOD_ZH = {
    TagMethod.PUBLISHER: "发布方提供",
    TagMethod.EXPLICIT: "正文中的编码",
    TagMethod.TERMS: "术语匹配",
    TagMethod.MODEL: "模型",
    TagMethod.INSPECTOR: "审核员",
}


def _enumerated() -> dict[str, tuple[str, str]]:
    """Labels of the values stored in rows, from the enums that define them."""
    labels: dict[str, tuple[str, str]] = {}
    for prefix, names in (
        ("status", _STATUS_ZH),
        ("severity", _SEVERITY_ZH),
        ("delivery", _DELIVERY_ZH),
    ):
        for value, chinese in names.items():
            labels[f"{prefix}.{value}"] = (str(value).replace("_", " "), chinese)
    for method, english in _METHOD_EN.items():
        labels[f"method.{method}"] = (english, _METHOD_ZH[method])
    for doc_type, english in DOC_TYPE_NAMES["en"].items():
        labels[f"kind.{doc_type}"] = (english, DOC_TYPE_NAMES["zh"][doc_type])
    return labels


STRINGS.update(_enumerated())


def translator(language: str) -> Callable[[str], str]:
    """``t(key)`` in ``language`` (zh or en); an unknown key returns itself."""
    index = 1 if language == "zh" else 0

    def t(key: str) -> str:
        pair = STRINGS.get(key)
        return pair[index] if pair else key

    return t
