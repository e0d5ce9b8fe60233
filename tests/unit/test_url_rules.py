"""Apps made by the factory share compiled URL builders, and the URLs they build are the
ones each rule states."""
from flask import Flask

from app.web.url_rules import SharedBuilderRule


class App(Flask):
    url_rule_class = SharedBuilderRule


def rounds(page):
    return ""


def routed_app() -> Flask:
    app = App(__name__)
    app.add_url_rule("/cases/<int:number>", "case", lambda number: "")
    app.add_url_rule("/rounds/", "rounds", rounds, defaults={"page": 1})
    app.add_url_rule("/rounds/page/<int(fixed_digits=3):page>", "rounds", rounds)
    return app


def test_two_apps_share_the_compiled_builder_of_the_same_rule():
    first, second = routed_app(), routed_app()
    rule_of = lambda app: next(r for r in app.url_map.iter_rules() if r.endpoint == "case")
    assert rule_of(first)._build.__func__ is rule_of(second)._build.__func__


def test_urls_built_from_shared_builders_keep_converters_defaults_and_extra_arguments():
    for app in (routed_app(), routed_app()):
        with app.test_request_context():
            from flask import url_for
            assert url_for("case", number=7) == "/cases/7"
            assert url_for("case", number=7, tab="history") == "/cases/7?tab=history"
            assert url_for("rounds") == "/rounds/"
            assert url_for("rounds", page=12) == "/rounds/page/012"
