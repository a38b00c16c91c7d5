"""The web edge: Flask blueprints, templates and the REST API."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

# The templates of the whole web UI (web/templates); its static files (web/static) are the app's /static.
ui = Blueprint("ui", __name__, template_folder="templates")
STATIC = Path(__file__).resolve().parent / "static"


def init_app(app: Flask) -> None:
    """Register the extensions and the blueprints on the application.

    Each feature adds its blueprint with one line below (keep the others' lines).
    """
    from web.accounts import auth
    from web.common import errors, i18n, labels, security, shell

    app.static_folder = str(STATIC)
    i18n.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    shell.init_app(app)
    labels.init_app(app)
    app.register_blueprint(ui)

    from web.accounts.account import bp as account_bp
    from web.accounts import gate, limits, two_factor  # issue 14: 2FA, must-change gate, anonymous rate limit
    from web.admin.views import bp as admin_bp
    from web.cases import case_files  # noqa: F401  (documents and comments routes of the cases blueprint)
    from web.cases.dashboard import bp as dashboard_bp
    from web.cases.views import bp as cases_bp
    from web.directory.views import bp as directory_bp

    app.register_blueprint(account_bp)
    app.register_blueprint(two_factor.bp)
    limits.init_app(app)
    gate.init_app(app)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(cases_bp)
    from web.cases.documents import bp as case_documents_bp  # generated documents (issue 15)

    app.register_blueprint(case_documents_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(admin_bp)
    from web.admin.outbox import bp as outbox_bp  # reminder outbox and incidents (admin)

    app.register_blueprint(outbox_bp)
    # reports, compliance, member register; the audit log viewer
    from web.reports import audit_log
    from web.reports import views as reports

    for feature in (reports, audit_log):
        app.register_blueprint(feature.bp)
        feature.init_nav(app)

    from web.admin import imports as import_page  # the import page (issue 16)

    import_page.init_app(app)
    from web.notifications import views as notifications  # the bell, its list, choices and calendar feed

    notifications.init_app(app)
    from web.ops import health  # /healthz, /readyz, /metrics, request ids and JSON logs

    health.init_app(app)
    from web.api import init_api  # REST API v1 under /api/v1 (its own error handling and bearer tokens)

    init_api(app)
