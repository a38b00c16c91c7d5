"""Notifications in the web UI: the bell's count on every page, the list with links and «mark as read», the
account page for how one hears of new tasks and escalations and for the calendar feed, and the feed itself
(its address is the secret: no sign-in)."""
from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from web.accounts.auth import login_required, runtime
from workflows.domain.errors import NotFound
from workflows.notifications import calendar_feed, inbox
from workflows.notifications.preferences import preferences, set_preferences

bp = Blueprint("notifications", __name__)

CHANNEL_CHOICES = ("immediate", "digest", "in_app")


def feed_url(token: str) -> str:
    """The feed's address under QUYTRINH_BASE_URL (what mail links use too)."""
    return current_app.config.get("BASE_URL", request.host_url).rstrip("/") + url_for("notifications.feed", token=token)


@bp.get("/notifications")
@login_required
def index():
    items = inbox.notifications(runtime(), user_id=current_user.id)
    return render_template("notifications/index.html", items=items)


@bp.post("/notifications/<int(max=2147483647):notification_id>/read")
@login_required
def read(notification_id: int):
    try:
        inbox.mark_read(runtime(), user_id=current_user.id, notification_id=notification_id)
    except NotFound:
        abort(404)
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/cases/") else url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    inbox.mark_all_read(runtime(), user_id=current_user.id)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    rt = runtime()
    error = None
    if request.method == "POST":
        new_task, escalation = request.form.get("new_task", ""), request.form.get("escalation", "")
        if new_task not in CHANNEL_CHOICES or escalation not in CHANNEL_CHOICES:
            error = _("Choose how to receive each kind of notification.")
        else:
            set_preferences(rt, user_id=current_user.id, new_task=new_task, escalation=escalation,
                            any_time=request.form.get("any_time") == "on")
            flash(_("Your notification choices are saved."), "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", prefs=preferences(rt, user_id=current_user.id),
                           has_feed=calendar_feed.has_feed(rt, user_id=current_user.id), error=error,
                           feed_address=None, choices=CHANNEL_CHOICES), 400 if error else 200


@bp.post("/account/calendar-feed")
@login_required
def create_feed():
    rt = runtime()
    token = calendar_feed.create_feed(rt, user_id=current_user.id)
    # Shown once, on this page: the database keeps only a digest of it.
    return render_template("notifications/settings.html", prefs=preferences(rt, user_id=current_user.id),
                           has_feed=True, error=None, feed_address=feed_url(token), choices=CHANNEL_CHOICES)


@bp.post("/account/calendar-feed/delete")
@login_required
def delete_feed():
    calendar_feed.delete_feed(runtime(), user_id=current_user.id)
    flash(_("The calendar feed is deleted: its address no longer works."), "success")
    return redirect(url_for("notifications.settings"))


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    if len(token) > 100:
        abort(404)
    try:
        body = calendar_feed.feed(runtime(), token=token, base_url=current_app.config.get("BASE_URL", request.host_url))
    except NotFound:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def bell():
        """The unread count for the header's bell (one indexed count per page of a signed-in user)."""
        if not current_user.is_authenticated:
            return {"unread_notifications": 0}
        return {"unread_notifications": inbox.unread_count(runtime(), user_id=current_user.id)}
