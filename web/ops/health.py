"""/healthz (the process answers), /readyz (database reachable, schema at the newest migration), /metrics.

No sign-in: probes come from the load balancer and the monitoring system. /metrics asks for
`Authorization: Bearer <QUYTRINH_METRICS_TOKEN>` when that setting is given.
"""
from __future__ import annotations

import hmac
import time

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from web.ops.logs import configure_logging, request_id
from web.ops.metrics import Metrics

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    heads = current_app.extensions["quytrinh.migration_heads"]
    try:
        with current_app.extensions["quytrinh"].engine.connect() as conn:
            current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception as exc:  # any database error means: not ready (the reason goes to the probe's log)
        current_app.logger.warning("readyz: database not reachable: %s", exc)
        return jsonify(status="unavailable", database="unreachable"), 503
    if current != heads:
        return jsonify(status="unavailable", database="reachable", schema=sorted(current),
                       expected=sorted(heads)), 503
    return jsonify(status="ok", database="reachable", schema=sorted(current))


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return Response("unauthorised\n", status=401, mimetype="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
    registry = current_app.extensions["quytrinh.metrics"].registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _migration_heads(migrations_dir: str) -> set[str]:
    config = AlembicConfig()
    config.set_main_option("script_location", migrations_dir)
    return set(ScriptDirectory.from_config(config).get_heads())


def init_app(app: Flask) -> None:
    """Probes, metrics and request ids for every request; JSON logs when QUYTRINH_LOG_FORMAT=json."""
    configure_logging(app.config.get("LOG_FORMAT") or "text")
    app.extensions["quytrinh.migration_heads"] = _migration_heads(app.config["MIGRATIONS_DIR"])
    runtime = app.extensions["quytrinh"]
    app.extensions["quytrinh.metrics"] = collected = Metrics(runtime)
    runtime.on_transition = collected.observe_transition
    app.register_blueprint(bp)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        request_id()

    @app.after_request
    def _count(response):
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        collected.observe_request(route, request.method, response.status_code, g.get("started", time.perf_counter()))
        response.headers["X-Request-ID"] = request_id()
        return response
