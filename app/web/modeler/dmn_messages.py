"""Labels of the decision table page /modeler/dmn/<key> and its 试算 panel (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "dmn.read_only": ("只读查看：只有业务分析员和管理员可以编辑、试算和部署决策表。",
                      "Read only: only analysts and admins edit, try and deploy decision tables."),
    "dmn.unchanged": ("决策表未改变：与已部署的最新版本相同，未产生新版本",
                      "The table is unchanged: same as the latest version, nothing deployed"),
    "dmn.trial": ("试算", "Try"),
    "dmn.trial_help": ("按输入列填写取值（留空表示无值），用当前编辑中的决策表计算，不会部署。",
                       "Give each input column a value (blank: no value); the table as edited "
                       "is evaluated, nothing is deployed."),
    "dmn.trial_run": ("试算", "Evaluate"),
    "dmn.trial_running": ("正在试算…", "Evaluating…"),
    "dmn.trial_result": ("试算结果（命中策略 {policy}）", "Result (hit policy {policy})"),
    "dmn.no_match": ("没有规则命中", "No rule matched"),
    "dmn.rule_n": ("第 {row} 条规则", "Rule {row}"),
    "dmn.no_inputs": ("决策表没有输入列", "The table has no input columns"),
    "dmn.yes": ("是", "yes"),
    "dmn.no": ("否", "no"),
    "dmn.blank": ("（无值）", "(no value)"),
}
