"""Command-line commands: `flask --app app setup | worker | deploy | backup | restore`, and
the administrators' commands until the admin pages exist: `create-organization |
create-user | set-password | set-groups | deactivate-user | audit-purge` (each audited as
`cli:<os user>`)."""
from __future__ import annotations

import getpass
import logging
import signal
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from flask import Flask

from . import backups
from .clock import SHANGHAI
from .config import ROOT
from app.core import accounts, audit
from app.core.errors import ServiceError
from app.platform import deadline_ladder, jobs, model_files, working_calendar
from app.platform.deployment import deploy, last_deployed_from
from app.tic import demo_data, documents

PASSWORD_ENV = "TICFLOW_PASSWORD"
# The 催办 ladder counts in working days: once a minute is on time.
LADDER_INTERVAL_SECONDS = 60.0


def register(app: Flask) -> None:
    context = app.extensions["ticflow"]

    @app.cli.command("setup")
    def setup_command():
        """Migrate the database, deploy changed models, load demo data into an empty database."""
        migrate(context.settings.database_url)
        deploy_project_models(context)
        with context.db.command() as session:
            seeded = working_calendar.seed(session, context.now())
        if seeded:
            click.echo(f"已从 chinese-calendar 载入 {seeded[0]}–{seeded[-1]} 年的节假日与调休 / "
                       f"holidays of {seeded[0]}–{seeded[-1]} loaded")
        if context.settings.demo_data:
            with context.db.command() as session:
                loaded = demo_data.load_demo_data(session, context.now())
            if loaded:
                click.echo(f"已载入演示用户，密码均为 {demo_data.DEMO_PASSWORD} / "
                           f"demo users loaded, every password is '{demo_data.DEMO_PASSWORD}'")
            else:
                click.echo(f"演示用户已存在（密码 {demo_data.DEMO_PASSWORD}）/ "
                           f"users already present (demo password '{demo_data.DEMO_PASSWORD}')")

    @app.cli.command("deploy")
    @click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
    def deploy_command(paths):
        """Deploy the given model files (default: the project's bpmn/ and forms/)."""
        if not paths:
            deploy_project_models(context)
            return
        files = {p.name: p.read_bytes() for p in paths}
        with context.db.command() as session:
            result = deploy(context, session, None, "cli", files, source="cli")
        click.echo(f"deployment {result.deployment.id}: "
                   f"{[d.id for d in result.new_definitions]}")

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(target):
        """Write a backup of the whole database, attachments included, to a new file."""
        with backup_errors():
            backups.backup(context.settings.database_url, target)
        click.echo(f"已备份到 {target} / backup written to {target}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
    def restore_command(source):
        """Restore a backup into the database of DATABASE_URL, which must be empty."""
        with backup_errors():
            backups.restore(context.settings.database_url, source)
        click.echo(f"已从 {source} 恢复 / restored from {source}")

    @app.cli.command("worker")
    @click.option("--interval", default=1.0, help="seconds between polls when idle")
    def worker_command(interval):
        """Run the job executor until stopped: due jobs, the official documents to lay out
        and archive, and the 催办 ladder."""
        run_worker(context, interval)

    register_admin_commands(app)


def register_admin_commands(app: Flask) -> None:
    context = app.extensions["ticflow"]

    def run(command, *args):
        """Run one account use case as the operator at this console, in one unit of work."""
        try:
            with context.db.command() as session:
                return command(context, session, operator(), "cli", *args)
        except ServiceError as error:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
            raise click.ClickException(f"{error.message}" + (f" ({details})" if details else ""))

    password_option = click.option(
        "--password", envvar=PASSWORD_ENV, prompt="密码 / password", hide_input=True,
        confirmation_prompt=True,
        help=f"the password (else ${PASSWORD_ENV}, else asked); the user must change it at first sign-in")

    @app.cli.command("create-organization")
    @click.argument("organization_id")
    @click.option("--name", required=True, help="the organization's full Chinese name")
    @click.option("--kind", required=True, help="enterprise, university, department, ...")
    def create_organization_command(organization_id, name, kind):
        """Add an organization (users belong to one)."""
        run(accounts.create_organization, organization_id, name, kind)
        click.echo(f"已创建单位 {organization_id} / organization created")

    @app.cli.command("create-user")
    @click.argument("user_id")
    @click.option("--name", "display_name", required=True, help="the user's name as shown")
    @click.option("--org", "organization_id", required=True, help="organization id")
    @click.option("--group", "groups", multiple=True, help="a group (repeat for several)")
    @password_option
    def create_user_command(user_id, display_name, organization_id, groups, password):
        """Add a user, who must change the password at the first sign-in."""
        run(accounts.create_user, user_id, display_name, organization_id, list(groups), password)
        click.echo(f"已创建用户 {user_id}，首次登录须修改密码 / user created; "
                   "the password must be changed at the first sign-in")

    @app.cli.command("set-password")
    @click.argument("user_id")
    @password_option
    def set_password_command(user_id, password):
        """Reset a user's password: their sessions end and they must change it at sign-in."""
        run(accounts.reset_password, user_id, password)
        click.echo(f"已重置 {user_id} 的密码 / password reset")

    @app.cli.command("set-groups")
    @click.argument("user_id")
    @click.argument("groups", nargs=-1)
    def set_groups_command(user_id, groups):
        """Replace a user's groups (none: no group at all)."""
        run(accounts.set_groups, user_id, list(groups))
        click.echo(f"{user_id} 的用户组：{', '.join(sorted(set(groups))) or '无'} / groups set")

    @app.cli.command("deactivate-user")
    @click.argument("user_id")
    def deactivate_user_command(user_id):
        """Take an account out of use at once (its sessions end)."""
        ended = run(accounts.deactivate_user, user_id)
        click.echo(f"已停用 {user_id}，结束会话 {ended} 个 / deactivated, {ended} sessions ended")

    @app.cli.command("audit-purge")
    @click.option("--before", required=True, type=click.DateTime(["%Y-%m-%d"]),
                  help="delete the entries before this day (Asia/Shanghai), at least 180 days ago")
    def audit_purge_command(before: datetime):
        """Delete audit entries older than the retention period (180 days)."""
        deleted = run(audit.purge, before.replace(tzinfo=SHANGHAI))
        click.echo(f"已清理审计日志 {deleted} 条 / {deleted} audit entries purged")


@contextmanager
def backup_errors():
    """A backup or restore that cannot be made, as the console reports it."""
    try:
        yield
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error


def operator() -> str:
    """Who runs a console command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def migrate(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def deploy_project_models(context) -> None:
    files = model_files.collect(ROOT / "bpmn", ROOT / "forms")
    if not files:
        click.echo("bpmn/ 与 forms/ 中没有模型 / no models to deploy")
        return
    with context.db.read() as session:
        unchanged = last_deployed_from(session, "project", files)
    if unchanged:
        click.echo("项目模型未变化，无需部署 / project models unchanged since last deployed")
        return
    try:
        with context.db.command() as session:
            result = deploy(context, session, None, "ticflow", files, source="project")
    except ServiceError as error:
        raise click.ClickException(f"{error.message}: {error.errors}") from error
    if result.unchanged or not result.new_definitions:
        click.echo("模型未变化，无需部署新版本 / models unchanged")
    for definition in result.new_definitions:
        click.echo(f"已部署 {definition.key} 第 {definition.version} 版 / deployed {definition.id}")


def run_worker(context, interval: float) -> None:
    logging.basicConfig(level=logging.INFO)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"作业执行器已启动 / job executor started ({jobs.worker_id()})")
    ladder_due = 0.0
    while not stopping:
        try:
            ran = jobs.execute_due_jobs(context)
            ran += documents.archive_pending(context)
            if time.monotonic() >= ladder_due:
                ladder_due = time.monotonic() + LADDER_INTERVAL_SECONDS
                ran += deadline_ladder.run_due_rungs(context)
        except Exception:
            logging.exception("job executor pass failed")
            ran = 0
        if not ran:
            time.sleep(interval)
