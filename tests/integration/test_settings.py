"""Production settings: a secret key is required and demo accounts are refused."""
from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, load_settings
from app.models import Base
from app.services import demo_data
from tests.conftest import FAST_DEMO_HASH, basic


def test_production_without_a_secret_key_is_refused(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"environment": "production"})


def test_production_never_loads_demo_data():
    settings = load_settings({"environment": "production", "secret_key": "s3cret"})
    assert settings.demo_data is False


def test_production_refuses_demo_accounts_even_if_they_exist(database_url):
    app = create_app({"database_url": database_url, "environment": "production",
                      "secret_key": "s3cret"})
    ctx = app.extensions["ticflow"]
    Base.metadata.create_all(ctx.db.engine)
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, FAST_DEMO_HASH)
    response = app.test_client().get("/engine-rest/task", headers=basic("officer"))
    assert response.status_code == 401
    assert "演示账号" in response.get_json()["message"]
    ctx.db.dispose()


def test_development_accepts_demo_accounts(rest):
    assert rest("officer").get("/task").status_code == 200


def test_the_instance_cache_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("INSTANCE_CACHE_SIZE", "0")
    assert load_settings().instance_cache_size == 0
    monkeypatch.setenv("INSTANCE_CACHE_SIZE", "many")
    with pytest.raises(ConfigError, match="INSTANCE_CACHE_SIZE 必须是整数"):
        load_settings()
