"""My work: the home page of every signed-in user."""
from __future__ import annotations

from flask import Blueprint, render_template

from workflows.engine.dashboard import my_work
from .auth import current_actor, login_required, runtime

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index():
    board = my_work(runtime(), actor_id=current_actor().id)
    return render_template("dashboard.html", board=board)
