"""The side navigation's entries beyond the tasklist: each offered only to whom its service
admits (the same predicates the services enforce), so no link leads to a refusal."""
from __future__ import annotations

from flask import Flask

from app.platform import permissions
from app.tic import dashboard, registry

from . import auth
from .auth import i18n

i18n.register({
    "nav.oversight": ("统计与管理", "Oversight"),
    "nav.cockpit": ("流程监控", "Cockpit"),
    "nav.dashboard": ("工作台", "Dashboard"),
    "nav.registry": ("中心名录", "Center registry"),
    "nav.experts": ("专家库", "Expert pool"),
    "nav.rounds": ("申报批次", "Application rounds"),
    "nav.admin": ("系统管理", "Administration"),
})
# (endpoint, label key, test id, who may open it)
ENTRIES = (
    ("cockpit.overview", "nav.cockpit", "nav-cockpit", lambda actor: permissions.cockpit_refusal(actor) is None),
    ("dashboard_page.dashboard_view", "nav.dashboard", "nav-dashboard", dashboard.sees_dashboard),
    ("registry_pages.centers", "nav.registry", "nav-registry", registry.sees_registry),
    ("expert_pages.experts", "nav.experts", "nav-experts",
     lambda actor: permissions.expert_pool_refusal(actor, keeping=False) is None),
    ("round_pages.round_list", "nav.rounds", "nav-rounds",
     lambda actor: permissions.rounds_refusal(actor, keeping=False) is None),
    ("admin.users", "nav.admin", "nav-admin", permissions.administers),
)


def section_links() -> list[dict]:
    actor = auth.current_actor()
    if actor is None:
        return []
    return [{"endpoint": endpoint, "label": label, "testid": testid}
            for endpoint, label, testid, admits in ENTRIES if admits(actor)]


def register(app: Flask) -> None:
    app.context_processor(lambda: {"section_links": section_links})
