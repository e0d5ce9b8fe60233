"""Command-line commands: `flask --app app setup | worker | deploy`."""
from __future__ import annotations

import logging
import signal
import time
from pathlib import Path

import click
from flask import Flask

from .config import ROOT
from .services import demo_data, jobs, model_files
from .services.deployment import deploy
from .services.errors import ServiceError


def register(app: Flask) -> None:
    context = app.extensions["ticflow"]

    @app.cli.command("setup")
    def setup_command():
        """Migrate the database, deploy changed models, load demo data into an empty database."""
        migrate(context.settings.database_url)
        deploy_project_models(context)
        if context.settings.demo_data:
            with context.db.command() as session:
                loaded = demo_data.load_demo_data(session)
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

    @app.cli.command("worker")
    @click.option("--interval", default=1.0, help="seconds between polls when idle")
    def worker_command(interval):
        """Run the job executor until stopped."""
        run_worker(context, interval)


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
    while not stopping:
        try:
            ran = jobs.execute_due_jobs(context)
        except Exception:
            logging.exception("job executor pass failed")
            ran = 0
        if not ran:
            time.sleep(interval)
