"""Settings read from the environment once, when the app is built."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """The settings cannot run the app safely."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    environment: str
    demo_data: bool
    # How long an executor holds a job it took: a job whose executor died runs again after it.
    job_lock_seconds: int = 300
    job_retries: int = 3
    min_expert_panel: int = 3
    attachment_max_bytes: int = 20 * 1024 * 1024
    # Restored workflows kept per process (app/platform/instance_cache.py); 0 turns it off.
    instance_cache_size: int = 256
    # Timer cycles repeat no more often than this (engine/timers.py).
    timer_min_cycle_seconds: int = 60
    # A signed-in page session ends after this long without a request.
    session_idle_minutes: int = 30
    # The password policy (app/core/passwords.py): 等保 2.0 asks at least 8 characters and
    # a periodic change.
    password_min_length: int = 8
    password_max_age_days: int = 90
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (the
    # client's address in the audit log, HTTPS for the Secure cookie); 0: none.
    trusted_proxies: int = 0
    # PostgreSQL connections each pool of a process keeps, and how many more it may open
    # at a peak (app/db.py): by default one per web thread, so every thread of a worker
    # has one at hand without the worker holding idle ones.
    db_pool_size: int = 2
    db_max_overflow: int = 2
    # PostgreSQL's synchronous_commit for commands: off, a commit returns before its WAL is
    # on disk (a crash of the database host may lose the last commits, never corrupt).
    db_synchronous_commit: bool = True
    # fetchAndLock requests of a web worker that may wait for external tasks at once
    # (app/platform/long_polling.py); the web server runs this many threads beyond
    # WEB_THREADS for them (scripts/serve_web.sh). 0: no fetch waits.
    external_task_long_polls: int = 2
    # Camunda's queryMaxResultsLimit: when set, a REST list must ask for at most this many
    # rows (`maxResults`); unset, lists are whole.
    query_max_results_limit: int | None = None
    # Official documents (app/tic/documents.py): the issuing authority (发文机关) and the
    # prefixes of their numbers (新科发〔2026〕12号); internal ones (the approval sheet, for
    # department staff) are numbered in a sequence of their own.
    document_issuer: str = "新疆维吾尔自治区科学技术厅"
    document_prefix: str = "新科发"
    internal_document_prefix: str = "新科审"

    @property
    def production(self) -> bool:
        return self.environment == "production"


def default_database_url() -> str:
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'ticflow.db'}"


def _int_env(name: str, default: int) -> int:
    text = os.environ.get(name, str(default))
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} 必须是整数 / {name} must be an integer: {text!r}") from None


def _positive_int_env(name: str, default: int) -> int:
    value = _int_env(name, default)
    if value < 1:
        raise ConfigError(f"{name} 必须是正整数 / {name} must be a positive integer: {value}")
    return value


def _on_off_env(name: str, default: bool) -> bool:
    text = os.environ.get(name, "on" if default else "off")
    if text not in ("on", "off"):
        raise ConfigError(f"{name} 只能是 on 或 off / {name} must be on or off: {text!r}")
    return text == "on"


def _pool_sizes() -> dict:
    """DB_POOL_SIZE defaults to the threads of a web worker, each holding a connection while
    it serves a request: WEB_THREADS plus the EXTERNAL_TASK_LONG_POLLS threads the web server
    runs beside them (scripts/serve_web.sh), which serve any request too. A pool smaller than
    that closes each connection it lent beyond its size when it comes back, and a busy worker
    then opens a new one (a new server process, every statement prepared again) for request
    after request. DB_MAX_OVERFLOW defaults to WEB_THREADS."""
    threads = _positive_int_env("WEB_THREADS", 2)
    size = _positive_int_env("DB_POOL_SIZE", threads + max(_int_env("EXTERNAL_TASK_LONG_POLLS", 2), 0))
    overflow = _int_env("DB_MAX_OVERFLOW", threads)
    if overflow < 0:
        raise ConfigError(f"DB_MAX_OVERFLOW 不能为负数 / DB_MAX_OVERFLOW must not be negative: {overflow}")
    return {"db_pool_size": size, "db_max_overflow": overflow}


def load_settings(overrides: dict | None = None) -> Settings:
    """Build settings from the environment; production refuses unsafe ones."""
    values = {
        "database_url": os.environ.get("DATABASE_URL") or default_database_url(),
        "secret_key": os.environ.get("SECRET_KEY", ""),
        "environment": os.environ.get("TICFLOW_ENV", "development"),
        "demo_data": os.environ.get("TICFLOW_DEMO_DATA", "1") != "0",
        "instance_cache_size": _int_env("INSTANCE_CACHE_SIZE", 256),
        "job_lock_seconds": _positive_int_env("JOB_LOCK_SECONDS", 300),
        "timer_min_cycle_seconds": _positive_int_env("TIMER_MIN_CYCLE_SECONDS", 60),
        "session_idle_minutes": _positive_int_env("SESSION_IDLE_MINUTES", 30),
        "password_min_length": _positive_int_env("PASSWORD_MIN_LENGTH", 8),
        "password_max_age_days": _positive_int_env("PASSWORD_MAX_AGE_DAYS", 90),
        "trusted_proxies": _int_env("TRUSTED_PROXIES", 0),
        "external_task_long_polls": _int_env("EXTERNAL_TASK_LONG_POLLS", 2),
        "query_max_results_limit": (_positive_int_env("QUERY_MAX_RESULTS_LIMIT", 1)
                                    if os.environ.get("QUERY_MAX_RESULTS_LIMIT") else None),
        "document_issuer": os.environ.get("DOCUMENT_ISSUER", "新疆维吾尔自治区科学技术厅"),
        "document_prefix": os.environ.get("DOCUMENT_PREFIX", "新科发"),
        "internal_document_prefix": os.environ.get("INTERNAL_DOCUMENT_PREFIX", "新科审"),
        "db_synchronous_commit": _on_off_env("DB_SYNCHRONOUS_COMMIT", True),
        **_pool_sizes(),
    }
    values.update(overrides or {})
    if values["timer_min_cycle_seconds"] < 1:
        raise ConfigError("TIMER_MIN_CYCLE_SECONDS 必须至少为 1 / TIMER_MIN_CYCLE_SECONDS must be at least 1")
    if values.get("password_min_length", 8) < 8:
        raise ConfigError("PASSWORD_MIN_LENGTH 不能小于 8 / PASSWORD_MIN_LENGTH must be at least 8")
    if values.get("external_task_long_polls", 0) < 0:
        raise ConfigError("EXTERNAL_TASK_LONG_POLLS 不能为负数 / EXTERNAL_TASK_LONG_POLLS must not be negative")
    for name in ("document_prefix", "internal_document_prefix"):
        if not 0 < len(values.get(name, "x").strip()) <= 20:
            raise ConfigError(f"{name.upper()} 须为 1 至 20 个字符 / {name.upper()} must have 1 to 20 characters")
    if values.get("trusted_proxies", 0) < 0:
        raise ConfigError("TRUSTED_PROXIES 不能为负数 / TRUSTED_PROXIES must not be negative")
    if values["environment"] == "production":
        if not values["secret_key"]:
            raise ConfigError("生产环境必须设置 SECRET_KEY / SECRET_KEY is required in production")
        values["demo_data"] = False
    elif not values["secret_key"]:
        values["secret_key"] = "dev-only-not-secret"
    return Settings(**values)
