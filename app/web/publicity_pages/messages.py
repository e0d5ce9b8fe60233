"""Labels of the public 公示 pages (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "publicity.title": ("拟批准技术创新中心公示", "Publicity of centers proposed for approval"),
    "publicity.intro": ("以下为自治区科技厅拟批准组建的自治区技术创新中心。公示期内，任何单位和个人可实名提出异议。",
                        "The S&T Department proposes to approve these centers. Anyone may object, under their real "
                        "name, during the publicity period."),
    "publicity.empty": ("目前没有公示", "Nothing is publicized"),
    "publicity.no_round": ("未分批次", "Outside any round"),
    "publicity.center": ("中心名称", "Center"),
    "publicity.lead_unit": ("牵头单位", "Lead unit"),
    "publicity.category": ("建设类别", "Category"),
    "publicity.field": ("领域或依托区域", "Field or region"),
    "publicity.period": ("公示期", "Publicity period"),
    "publicity.ends": ("公示截止", "Ends"),
    "publicity.ends_note": ("公示期最后一日24时（北京时间）截止", "Ends at 24:00 (Beijing time) of its last day"),
    "publicity.status": ("状态", "Status"),
    "publicity.back": ("返回公示列表", "Back to the list"),
    "publicity.how": ("异议方式", "How to object"),
    "publicity.how_text": ("对公示对象有异议的，请于公示期内在本页实名提交异议，写明异议事实和理由，并留下手机号码、固定电话或电子邮箱，"
                           "以便核实。匿名异议、超出公示期的异议不予受理。异议人身份由科技厅保密。",
                           "Object on this page within the period, under your real name, stating the facts and "
                           "your reasons, with a phone number or email address so that we can check. Anonymous or "
                           "late objections are not accepted. The department keeps the objector's identity confidential."),
    "publicity.name": ("真实姓名", "Real name"),
    "publicity.contact": ("联系方式（手机、固定电话或电子邮箱）", "Contact (phone or email)"),
    "publicity.text": ("异议内容", "Objection"),
    "publicity.submit": ("提交异议", "Submit the objection"),
    "publicity.closed": ("公示已结束，不再受理异议。", "The publicity has ended: no more objections."),
    "publicity.received": ("异议已收到，科技厅将核实处理。", "Your objection has been received."),
    "publicity.link": ("拟批准名单公示", "Publicity of proposed centers"),
}
