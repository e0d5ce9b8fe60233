"""The kinds of official documents: each is a template (document_files/kinds/<key>.html,
which administrators may replace) and a data function (app/tic/document_data.py), with
sample data for the template editor's preview. A new kind is one entry here, one template
and one data function."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.tic import document_data
from app.tic.document_data import Source

SHIPPED = Path(__file__).resolve().parent / "document_files" / "kinds"
_SIGNER = {"role": "签发", "name": "王振华", "time": "2026年3月5日 10:20"}
_COMMON = {"issuer": "新疆维吾尔自治区科学技术厅", "number": "新科发〔2026〕1号", "date": "2026年3月5日",
           "center_name": "新疆棉花和纺织服装技术创新中心", "center_code": "XJTIC-2026-001",
           "copies": ["新疆天棉纺织集团有限公司"], "signers": [_SIGNER]}


@dataclass(frozen=True)
class DocumentKind:
    key: str
    name: str
    # Only department staff may read it, and it is numbered in the internal sequence.
    department_only: bool
    data: Callable[[Source], dict]
    sample: dict

    def shipped_template(self) -> str:
        return (SHIPPED / f"{self.key}.html").read_text(encoding="utf-8")


KINDS = {kind.key: kind for kind in (
    DocumentKind("approval_reply", "组建批复", False, document_data.approval_reply, {
        **_COMMON, "title": "关于同意组建新疆棉花和纺织服装技术创新中心的批复",
        "recipient": "乌鲁木齐市人民政府", "decision": "同意组建“新疆棉花和纺织服装技术创新中心”",
        "lead_unit": "新疆天棉纺织集团有限公司", "co_builders": ["新疆大学", "新疆阿拉尔棉纺有限公司"],
        "category": "领域类", "field": "棉花和纺织服装", "cycle_years": 3, "opinion": "同意组建",
    }),
    DocumentKind("approval_sheet", "组建审批单", True, document_data.approval_sheet, {
        **_COMMON, "number": "新科审〔2026〕1号", "title": "新疆棉花和纺织服装技术创新中心组建审批单",
        "recipient": "", "copies": [], "decision": "同意组建", "business_key": "SQ-2026-4F9A2C",
        "lead_unit": "新疆天棉纺织集团有限公司", "average_score": 86.3,
        "steps": [{"name": "推荐部门审核", "actor": "李明", "decision": "同意", "opinion": "同意推荐",
                   "time": "2026年2月20日 09:30"},
                  {"name": "领导审批", "actor": "王振华", "decision": "同意", "opinion": "同意组建",
                   "time": "2026年3月5日 10:20"}],
        "signers": [{"role": "推荐部门审核", "name": "李明", "time": "2026年2月20日 09:30"}, _SIGNER],
    }),
    DocumentKind("publicity_notice", "拟批准公示", False, document_data.publicity_notice, {
        **_COMMON, "title": "关于新疆棉花和纺织服装技术创新中心拟批准组建的公示",
        "recipient": "", "copies": [], "decision": "新疆棉花和纺织服装技术创新中心拟批准组建",
        "lead_unit": "新疆天棉纺织集团有限公司", "category": "领域类", "field": "棉花和纺织服装",
        "period": "2026年3月6日至2026年3月12日", "days": 7, "objection_path": "/publicity/1",
    }),
    DocumentKind("evaluation_notice", "绩效评估结果通知", False, document_data.evaluation_notice, {
        **_COMMON, "title": "关于新疆棉花和纺织服装技术创新中心第1个评估周期绩效评估结果的通知",
        "recipient": "新疆天棉纺织集团有限公司", "copies": ["乌鲁木齐市人民政府"],
        "decision": "新疆棉花和纺织服装技术创新中心绩效评估结果为“优秀”", "cycle": 1,
        "period": "2026年3月5日至2029年3月5日", "funding": "200万元",
        "consequence": "中心进入下一个评估周期，请继续按建设方案推进各项任务。",
        "signers": [{"role": "评定", "name": "张伟", "time": "2029年6月1日 15:00"}],
    }),
    DocumentKind("delisting_notice", "撤销通知", False, document_data.delisting_notice, {
        **_COMMON, "title": "关于新疆棉花和纺织服装技术创新中心不再列入自治区技术创新中心序列的通知",
        "recipient": "新疆天棉纺织集团有限公司", "copies": ["乌鲁木齐市人民政府"],
        "decision": "新疆棉花和纺织服装技术创新中心（中心编号XJTIC-2026-001）不再列入自治区技术创新中心序列",
        "reason": "整改后仍未达标", "note": "整改报告未落实专家组意见", "lead_unit": "新疆天棉纺织集团有限公司",
        "signers": [{"role": "认定", "name": "张伟", "time": "2030年6月1日 15:00"}],
    }),
)}
