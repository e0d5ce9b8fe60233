"""Labels of the form editor (/modeler/forms/<formKey>), Chinese and English."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "form_editor.title": ("表单编辑", "Form editor"),
    "form_editor.schema": ("表单结构（JSON Schema）", "Form schema (JSON Schema)"),
    "form_editor.ui": ("界面提示（UI）", "UI hints"),
    "form_editor.ui_help": ("字段顺序、控件、选项名称；可留空", "Field order, widgets, option labels; may be empty"),
    "form_editor.preview": ("预览（办件人员看到的表单）", "Preview (the form as officers see it)"),
    "form_editor.preview_stale": ("有错误，预览为上一次正确的内容", "There are errors: the preview shows the last valid form"),
    "form_editor.sample_submit": ("提交样例", "Submit a sample"),
    "form_editor.sample_help": ("按办件提交的校验检查所填样例，不保存任何数据。",
                                "Checks the sample as an officer's submit is checked; nothing is stored."),
    "form_editor.sample_passed": ("样例数据通过校验", "The sample passes validation"),
    "form_editor.sample_refused": ("样例数据未通过校验，见各字段提示", "The sample does not pass: see the fields"),
    "form_editor.deploy": ("部署新版本", "Deploy new version"),
    "form_editor.deployed": ("表单已部署为第 {version} 版；流程在下次部署时使用新版表单",
                             "Form deployed as v{version}; processes use it from their next deployment"),
    "form_editor.unchanged": ("未改变：与已部署的最新版本相同，未产生新版本",
                              "Unchanged: same as the latest version, nothing deployed"),
    "form_editor.read_only": ("只读查看：只有业务分析员和管理员可以编辑和部署表单。",
                              "Read only: only analysts and admins edit and deploy forms."),
    "form_editor.problems": ("校验结果", "Check results"),
    "form_editor.no_problems": ("校验通过，可以部署", "No problems: ready to deploy"),
    "form_editor.has_problems": ("有错误，修正后才能部署", "There are errors: fix them to deploy"),
    "form_editor.checking": ("正在检查…", "Checking…"),
    "form_editor.deploying": ("正在部署…", "Deploying…"),
    "form_editor.failed": ("操作未能完成", "The action failed"),
}
