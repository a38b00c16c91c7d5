"""Composition root: configuration, `create_app()`, and the command-line interface.

    flask --app app init-db | create-user | issue-token | demo | check | scheduler
"""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask

from models import make_engine, make_session_factory, write_transaction
from models.record import set_record_key
from workflows.accounts.accounts import assign_role, create_user, find_user, issue_token
from workflows.domain.errors import QuytrinhError
from workflows.engine import Runtime, check_cases

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENVIRONMENTS = ("development", "testing", "production")


class Config:
    """Settings, read from the environment in this one place."""

    ENV = os.environ.get("QUYTRINH_ENV", "development")
    DATABASE_URL = os.environ.get("QUYTRINH_DATABASE_URL")
    DATABASE_READ_URL = os.environ.get("QUYTRINH_DATABASE_READ_URL")  # a replica for reports and exports
    SECRET_KEY = os.environ.get("QUYTRINH_SECRET_KEY")
    BASE_URL = os.environ.get("QUYTRINH_BASE_URL", "http://127.0.0.1:5000")
    SMTP_HOST = os.environ.get("QUYTRINH_SMTP_HOST")
    SMTP_PORT = int(os.environ.get("QUYTRINH_SMTP_PORT", "25"))
    SMTP_SECURITY = os.environ.get("QUYTRINH_SMTP_SECURITY", "none")
    SMTP_USER = os.environ.get("QUYTRINH_SMTP_USER")
    SMTP_PASSWORD = os.environ.get("QUYTRINH_SMTP_PASSWORD")
    SMTP_CA_FILE = os.environ.get("QUYTRINH_SMTP_CA_FILE")  # a private CA for the mail server's certificate
    MAIL_FROM = os.environ.get("QUYTRINH_MAIL_FROM", "quytrinh@localhost")
    # Reminder stages (scheduler/stages.py): working days before the due date, then every n days overdue.
    REMINDER_DAYS_BEFORE = os.environ.get("QUYTRINH_REMINDER_DAYS_BEFORE", "10,3,0")
    REMINDER_OVERDUE_EVERY_DAYS = os.environ.get("QUYTRINH_REMINDER_OVERDUE_EVERY_DAYS", "7")
    SCHEDULER_SCAN_MINUTES = os.environ.get("QUYTRINH_SCHEDULER_SCAN_MINUTES", "5")
    SCHEDULER_DELIVER_SECONDS = os.environ.get("QUYTRINH_SCHEDULER_DELIVER_SECONDS", "30")
    QUIET_HOURS = os.environ.get("QUYTRINH_QUIET_HOURS", "7-20")  # mail only then, on working days; "none"
    ESCALATE_AFTER_DAYS = os.environ.get("QUYTRINH_ESCALATE_AFTER_DAYS", "5")  # working days overdue; 0 = never
    LOG_FORMAT = os.environ.get("QUYTRINH_LOG_FORMAT", "text")  # json: one JSON object per line (web/ops/logs.py)
    METRICS_TOKEN = os.environ.get("QUYTRINH_METRICS_TOKEN")  # set: /metrics asks for this bearer token
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # uploads: 20 MiB at most
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = ENV == "production"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    TESTING = False
    # Sign-in security (issue 14; api.md "Configuration").
    RATE_LIMIT_TOKEN = os.environ.get("QUYTRINH_RATE_LIMIT_TOKEN", "1200/minute")
    RATE_LIMIT_ANONYMOUS = os.environ.get("QUYTRINH_RATE_LIMIT_ANONYMOUS", "120/minute")
    TRUSTED_PROXIES = os.environ.get("QUYTRINH_TRUSTED_PROXIES", "")
    REQUIRE_2FA = os.environ.get("QUYTRINH_REQUIRE_2FA", "false")


class TestConfig(Config):
    ENV = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_SECURE = False
    # Tests run on a fixed clock (one rate window for the whole test): the limits' own tests set them.
    RATE_LIMIT_TOKEN = "0"
    RATE_LIMIT_ANONYMOUS = "0"
    TRUSTED_PROXIES = ""
    REQUIRE_2FA = "false"


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application: configuration, database, engine runtime, web and CLI."""
    instance = (config.get("INSTANCE_PATH") if isinstance(config, dict) else None) or os.environ.get("QUYTRINH_INSTANCE")
    app = Flask(__name__, instance_path=instance or None, instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _check_settings(app)
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    _configure_secret_key(app)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'quytrinh.db'}"
    app.config["DATABASE_URL"] = url
    _create_private_sqlite_file(url)
    engine = make_engine(url)
    set_record_key(engine, app.config["SECRET_KEY"])  # the record's heads are signed with it (models/record.py)
    documents_dir = Path(app.config.get("DOCUMENTS_DIR") or Path(app.instance_path) / "documents")
    read_url = app.config.get("DATABASE_READ_URL")
    read_sessions = make_session_factory(make_engine(read_url)) if read_url else None
    runtime = Runtime(session_factory=make_session_factory(engine), documents_dir=documents_dir,
                      read_session_factory=read_sessions)
    if app.config.get("CLOCK") is not None:
        runtime.clock = app.config["CLOCK"]
    app.extensions["quytrinh"] = runtime
    app.extensions["quytrinh.engine"] = engine
    app.config.setdefault("MIGRATIONS_DIR", str(MIGRATIONS_DIR))

    import web

    web.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        from web.common.proxies import TrustedProxies

        app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    _register_cli(app)
    import web.cli.imports  # import-template, import-members, export-members (issue 16)

    web.cli.imports.register(app)
    import web.cli.forms

    web.cli.forms.register(app)
    import scheduler.cli
    import web.cli.database
    import web.cli.record
    import web.cli.reference

    scheduler.cli.register(app)
    web.cli.reference.register(app)  # web/cli/<topic>.py: one line each
    web.cli.database.register(app)
    web.cli.record.register(app)
    return app


def _check_settings(app: Flask) -> None:
    """Refuse to start on a setting that is not understood, rather than run with a guess (issue 14)."""
    from web.common.proxies import parse_trusted
    from workflows.accounts.ratelimit import Limit, RateLimits

    env = app.config.get("ENV")
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"QUYTRINH_ENV={env!r} is not known; use one of: {', '.join(ENVIRONMENTS)}.")
    try:
        app.config["RATE_LIMITS"] = RateLimits(token=Limit.parse(app.config.get("RATE_LIMIT_TOKEN")),
                                               anonymous=Limit.parse(app.config.get("RATE_LIMIT_ANONYMOUS")))
    except ValueError as exc:
        raise RuntimeError(f"QUYTRINH_RATE_LIMIT_*: {exc}") from None
    proxies = app.config.get("TRUSTED_PROXIES")
    app.config["TRUSTED_PROXIES"] = proxies if isinstance(proxies, tuple) else parse_trusted(proxies)
    flag = str(app.config.get("REQUIRE_2FA", "false")).strip().lower()
    if flag not in ("true", "false", "1", "0", "yes", "no", ""):
        raise RuntimeError(f"QUYTRINH_REQUIRE_2FA={flag!r}: use true or false.")
    app.config["REQUIRE_2FA"] = flag in ("true", "1", "yes")


def _create_private_sqlite_file(url: str) -> None:
    """A new SQLite database file is readable by its owner only (0600): it holds personal records and
    password hashes. SQLite gives its -wal and -shm files the same mode."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process created it first


def _configure_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.config.get("ENV") == "production":
        from workflows.accounts.passwords import secret_key_problem

        problem = secret_key_problem(key)
        if problem:
            raise RuntimeError(problem + ".")
        return
    if not key:
        # Development: one key generated once into the instance folder, so sessions survive restarts.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            with os.fdopen(os.open(key_file, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600), "w") as out:
                out.write(secrets.token_urlsafe(48))
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["quytrinh"]


def migrate(app: Flask) -> None:
    """Apply every Alembic migration (all heads) to the app's database."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["url"] = app.config["DATABASE_URL"]
    cfg.attributes["record_secret"] = app.config["SECRET_KEY"]  # 0013 signs the heads of rows it links
    command.upgrade(cfg, "heads")


def _register_cli(app: Flask) -> None:
    def fail(exc: QuytrinhError) -> None:
        click.echo(f"error: {exc.message('en')}", err=True)
        sys.exit(1)

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or migrate the database schema."""
        migrate(app)
        click.echo("database is up to date")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--admin", is_flag=True, help="A system administrator.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @click.option("--display-name", default="")
    @click.option("--email", default=None)
    @click.option("--role", "roles", multiple=True, help="ROLE@ORGANISATION_ID, may repeat.")
    def create_user_command(username, admin, password_stdin, display_name, email, roles) -> None:
        """Create a user (password from stdin, or asked for)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            with write_transaction(runtime_of(app).session_factory) as session:
                user = create_user(session, username=username, password=password, display_name=display_name,
                                   email=email, is_admin=admin)
                for spec in roles:
                    role, _, org = spec.partition("@")
                    assign_role(session, user_id=user.id, organisation_id=int(org), role=role)
                user_id = user.id
        except QuytrinhError as exc:
            fail(exc)
        click.echo(f"created user {username} (id {user_id})")
        if app.config["ENV"] == "production":
            click.echo("the user must choose a new password at the first sign-in")

    @app.cli.command("issue-token")
    @click.argument("username")
    @click.option("--name", default="cli")
    @click.option("--days", type=int, default=None, help="Days until the token expires (default 90, at most 366).")
    def issue_token_command(username, name, days) -> None:
        """Issue an API bearer token for a user; the token is the last line printed."""
        runtime = runtime_of(app)
        try:
            with write_transaction(runtime.session_factory) as session:
                token = issue_token(session, user_id=find_user(session, username).id, name=name,
                                    now=runtime.clock.now(), days=days)
        except QuytrinhError as exc:
            fail(exc)
        click.echo(f"token for {username} (shown once, valid {days or 90} days):")
        click.echo(token)

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no organisation yet.")
    def demo_command(if_empty) -> None:
        """Load the demo province: committees, cells, members, users for each role, cases in every state."""
        from workflows.demo import database_is_empty, load_demo

        if app.config["ENV"] == "production":
            # Its accounts share the password printed in the README: never on a production database.
            click.echo("error: demo refuses to run with QUYTRINH_ENV=production (its passwords are public).", err=True)
            sys.exit(1)
        runtime = runtime_of(app)
        if if_empty and not database_is_empty(runtime):
            click.echo("database already has data: demo not loaded")
            return
        summary = load_demo(runtime)
        click.echo(summary)

    @app.cli.command("check")
    @click.option("--heads", "heads_file", type=click.File("r"), default=None,
                  help="Heads exported earlier by `record-heads`: also report chains rolled back behind them.")
    def check_command(heads_file) -> None:
        """Replay every case's events and verify the record's hash chains; exit 1 on any problem.

        Lists any case whose stored state differs from its events, then the first broken link of every
        event chain (per case) and audit lane, against their signed heads (docs/record.md).
        """
        from web.cli.record import verify_record

        runtime = runtime_of(app)
        count = 0
        with runtime.session_factory() as session:
            for mismatch in check_cases(session):
                count += 1
                click.echo(f"case {mismatch.case_id}: {mismatch.problem}")
            from sqlalchemy import func, select

            from models import Case

            total = session.scalar(select(func.count(Case.id)))
        click.echo(f"{total} cases replayed, {count} mismatches")
        broken = verify_record(runtime, heads_file)
        from workflows.engine.tallies import differences

        with runtime.session_factory() as session:
            off = differences(session.connection())
        for line in off:
            click.echo(f"decision tallies: {line}")
        click.echo("decision tallies agree with the cases" if not off else
                   "decision tallies disagree with the cases: `flask --app app tallies-rebuild` recounts them")
        if count or broken or off:
            sys.exit(1)

    @app.cli.command("tallies-rebuild")
    def tallies_rebuild_command() -> None:
        """Recount the yearly statistics' tallies from the cases (after a bulk load that bypassed the engine)."""
        from models import write_transaction
        from workflows.engine.tallies import rebuild

        with write_transaction(runtime_of(app).session_factory) as session:
            rows = rebuild(session.connection())
        click.echo(f"decision tallies recounted: {rows} rows")
