"""Labels of the sign-in pages and of the frame every page shares."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("新疆技术创新中心业务管理系统", "Xinjiang TIC Management System"),
    "app.short": ("技术创新中心审批系统", "TIC Tasklist"),
    "lang.switch": ("English", "中文"),
    "login.title": ("用户登录", "Sign in"),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.wrong": ("用户名或密码错误，还可尝试 {left} 次", "Wrong user name or password; {left} tries left"),
    "login.locked": ("登录失败次数过多，账号已锁定，请于 {until} 后再试",
                     "Too many failed sign-ins: the account is locked until {until}"),
    "login.required": ("请先登录", "Please sign in first"),
    "login.expired": ("登录已超时，请重新登录", "Your session timed out; please sign in again"),
    "login.demo_hint": ("演示环境：演示账号的密码均为 demo", "Demo: every demo account's password is demo"),
    "password.title": ("修改密码", "Change password"),
    "password.current": ("当前密码", "Current password"),
    "password.new": ("新密码", "New password"),
    "password.confirm": ("确认新密码", "New password again"),
    "password.submit": ("确认修改", "Change password"),
    "password.policy": ("至少 {length} 位，包含大写字母、小写字母、数字、符号中的至少三类，且不能与用户名相同；"
                        "每 {days} 天须修改一次。",
                        "At least {length} characters using three of: upper-case letters, lower-case "
                        "letters, digits, symbols; not the user name; to be changed every {days} days."),
    "password.required": ("请先修改密码：管理员设置的初始密码须在首次登录时修改，密码使用超过 {days} 天也须修改。",
                          "Change your password first: a password set by an administrator must be "
                          "changed at the first sign-in, and any password after {days} days."),
    "password.changed": ("密码已修改，其他设备上的登录已退出", "Password changed; your other sessions were signed out"),
    "password.errors": ("密码未修改，请按提示更正", "The password was not changed; see below"),
    "logout.submit": ("退出", "Sign out"),
    "logout.done": ("您已安全退出", "You have signed out"),
    "csrf.title": ("请求被拒绝", "Request refused"),
    "csrf.refused": ("页面已过期或请求来源不可信，请返回刷新页面后重试",
                     "The page has expired or the request did not come from this site; "
                     "go back, reload the page and try again"),
    "nav.back": ("返回", "Back"),
    # The groups as people read them (the admin pages, the modeler's candidate picker).
    "group.lead_unit": ("牵头单位（申报）", "Lead unit"),
    "group.recommender": ("推荐部门 / 主管单位", "Recommender / supervising unit"),
    "group.department": ("科技厅处室", "Department officers"),
    "group.department_leader": ("科技厅领导", "Department leaders"),
    "group.expert": ("评审专家", "Experts"),
    "group.center": ("技术创新中心", "Center staff"),
    "group.agency": ("专业机构", "Professional agency"),
    "group.analyst": ("业务分析员", "Business analysts"),
    "group.manager": ("管理者", "Managers"),
    "group.admin": ("系统管理员", "Administrators"),
    "group.service": ("服务账号（机器客户端）", "Service accounts"),
    "group.worker": ("外部任务工作者", "External-task workers"),
}
