"""My work: the home page of every signed-in user."""
from __future__ import annotations

from flask import Blueprint, render_template

from web.accounts.auth import current_actor, login_required, runtime
from workflows.read.dashboard import my_work

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index():
    board = my_work(runtime(), actor_id=current_actor().id)
    return render_template("dashboard.html", board=board)
