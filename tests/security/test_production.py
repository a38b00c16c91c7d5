"""Safe defaults under QUYTRINH_ENV=production (issue 14, items 1 and 8); development stays the one-command demo."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Organisation, write_transaction
from tests.security.support import STRONG_KEY, client_from, make_app, production_app, sign_in
from tests.support.world import PASSWORD
from tests.web.support import post
from workflows.accounts.admin import update_user
from workflows.directory.directory_access import add_user

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "tám chữ cái thì quá ngắn"


def _flask(args, env_extra, db_url, tmp_path, stdin=""):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUYTRINH_")}
    env.update({"QUYTRINH_DATABASE_URL": db_url, "QUYTRINH_INSTANCE": str(tmp_path / "cli"), **env_extra})
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_demo_refuses_to_run_in_production(db_url, runtime, tmp_path):
    """The attack of issue 14: `QUYTRINH_ENV=production flask --app app demo --if-empty` loaded 16 known accounts."""
    done = _flask(["demo", "--if-empty"], {"QUYTRINH_ENV": "production", "QUYTRINH_SECRET_KEY": STRONG_KEY},
                  db_url, tmp_path)
    assert done.returncode == 1 and "refuses" in done.stderr
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count(Organisation.id))) == 0


def _admin_creates(runtime, world, username: str) -> None:
    add_user(runtime, actor_id=world.users["admin"], username=username, password=PASSWORD, display_name=username)


def test_an_account_created_by_an_admin_must_change_its_password_in_production(db_url, clock, tmp_path, runtime, world):
    """In production the first sign-in with a password someone else set leads only to the password form."""
    prod = production_app(db_url, clock, tmp_path)
    _admin_creates(runtime, world, "newcomer")
    client = client_from(prod, "192.0.2.1")
    assert sign_in(client, "newcomer").status_code == 302
    for path in ("/", "/cases", "/account/preferences", "/account/two-factor"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/password"), path
    changed = post(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD}, token_from="/account/password")
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    prod.extensions["quytrinh.engine"].dispose()


def test_an_admin_reset_password_must_be_changed_again(db_url, clock, tmp_path, runtime, world):
    """A password an administrator resets is someone else's choice too: the next sign-in must change it."""
    prod = production_app(db_url, clock, tmp_path)
    from models import User

    with runtime.session_factory() as s:
        user = s.get(User, world.users["secretary1"])
    update_user(runtime, actor_id=world.users["admin"], user_id=user.id, display_name=user.display_name,
                email=user.email, active=True, is_admin=False, new_password="mật khẩu tạm thời của chi bộ")
    client = client_from(prod, "192.0.2.1")
    sign_in(client, "secretary1", "mật khẩu tạm thời của chi bộ")
    assert client.get("/").headers["Location"].endswith("/account/password")
    prod.extensions["quytrinh.engine"].dispose()


def test_development_does_not_force_the_change(app, runtime, world):
    """In development (the default) an account made by an admin signs in straight to My work."""
    _admin_creates(runtime, world, "newcomer")
    client = client_from(app, "192.0.2.1")
    sign_in(client, "newcomer")
    assert client.get("/").status_code == 200


def test_cli_create_user_in_production_says_the_password_must_change(db_url, tmp_path):
    """`create-user` under production tells the operator the user picks a new password at first sign-in."""
    done = _flask(["create-user", "chief", "--admin", "--password-stdin"],
                  {"QUYTRINH_ENV": "production", "QUYTRINH_SECRET_KEY": STRONG_KEY}, db_url, tmp_path,
                  stdin="Mật-khẩu-quản-trị-2026!\n")
    assert done.returncode == 0, done.stderr
    assert "must choose a new password" in done.stdout


@pytest.mark.parametrize("key", ["a" * 32, "test-" + "x" * 40, "abcdefghijklmnopqrstuvwxyz012345",
                                 "password" * 4, "short-but-random-Xq9"])
def test_a_weak_secret_key_stops_production(db_url, clock, tmp_path, key):
    """32 × 'a' was accepted; now a key with too little entropy stops the app from starting in production."""
    with pytest.raises(RuntimeError, match="QUYTRINH_SECRET_KEY"):
        make_app(db_url, clock, tmp_path, ENV="production", SECRET_KEY=key)


def test_a_random_key_starts_production(db_url, clock, tmp_path):
    """secrets.token_hex(32), the documented way to make a key, is accepted."""
    prod = production_app(db_url, clock, tmp_path)
    assert prod.config["ENV"] == "production"
    prod.extensions["quytrinh.engine"].dispose()


@pytest.mark.parametrize("env", ["prod", "Production", "staging", ""])
def test_an_unknown_environment_is_refused(db_url, clock, tmp_path, env):
    """QUYTRINH_ENV=prod (a typo) used to run as development with its relaxed rules; now it stops the start."""
    with pytest.raises(RuntimeError, match="QUYTRINH_ENV"):
        make_app(db_url, clock, tmp_path, ENV=env)


def test_hsts_under_production_only(db_url, clock, tmp_path, app):
    """Production answers carry Strict-Transport-Security; development (plain http on a laptop) does not."""
    prod = production_app(db_url, clock, tmp_path)
    assert prod.test_client().get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    prod.extensions["quytrinh.engine"].dispose()


def test_the_sqlite_file_is_created_readable_by_its_owner_only(clock, tmp_path):
    """A new database file (and its WAL) is 0600 whatever the umask: it holds personal records and password hashes."""
    old = os.umask(0o022)
    try:
        fresh = make_app(None, clock, tmp_path, name="fresh", DATABASE_URL=None)
    finally:
        os.umask(old)
    from app import migrate

    migrate(fresh)
    with write_transaction(fresh.extensions["quytrinh"].session_factory) as s:
        s.add(Organisation(name="Chi bộ", kind="cell", path="/1/"))
    files = sorted((tmp_path / "fresh").glob("quytrinh.db*"))
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), [
        (f.name, oct(f.stat().st_mode)) for f in files]
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700
    fresh.extensions["quytrinh.engine"].dispose()
