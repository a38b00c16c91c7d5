"""Operating the service: the probes, the Prometheus metrics and JSON logs with a request id (issue 18)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from models import OutboxMessage, write_transaction
from scheduler.jobs import deliver_job
from scheduler.settings import config_values
from tests.support.flows import walk_plan
from tests.web.support import plan_for
from web.ops.logs import JsonFormatter, RequestIdFilter


def _samples(body: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_healthz_answers_and_readyz_checks_the_schema(app):
    """/healthz is 200; /readyz is 200 at the newest migration and 503 naming the schema when it is behind."""
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] == "reachable"
    with app.extensions["quytrinh.engine"].begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.get_json()["schema"] == ["0001"] and behind.get_json()["expected"] != ["0001"]


def test_metrics_count_requests_by_route_and_transitions_by_trigger(app, runtime, world):
    """/metrics counts requests by route template and status, and times every engine transition."""
    client = app.test_client()
    client.get("/healthz")
    client.get("/cases/12345")  # signed out: a redirect, counted under its route template
    app.extensions["quytrinh"].clock = runtime.clock
    walk_plan(app.extensions["quytrinh"], world, plan_for(world, "cell1"), "cell1_applicant", "admission",
              until="background_verified")
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert samples[("quytrinh_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))] == 1
    assert samples[("quytrinh_http_requests_total",
                    (("method", "GET"), ("route", "/cases/<int:case_id>"), ("status", "302")))] == 1
    assert samples[("quytrinh_transition_seconds_count", (("outcome", "ok"), ("trigger", "open")))] == 1
    assert samples[("quytrinh_transition_seconds_count",
                    (("outcome", "ok"), ("trigger", "verify_background")))] == 1


def test_metrics_show_the_outbox_depth_and_age_and_the_last_job_run(app, runtime, world):
    """The outbox's unsent mail and its oldest age, and the deliver job's last run, are read from the database."""
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with write_transaction(runtime.session_factory) as s:
        s.add(OutboxMessage(dedupe_key="k1", to_address="a@example.test", subject="s", body_text="b",
                            message_id="<m1@x>", status="held", created_at=created, payload={}))
    deliver_job(config_values(app.config))  # no SMTP configured: it holds, and records its run
    samples = _samples(app.test_client().get("/metrics").get_data(as_text=True))
    assert samples[("quytrinh_outbox_depth", (("status", "held"),))] == 1
    assert samples[("quytrinh_outbox_oldest_age_seconds", ())] > (datetime(2026, 12, 1, tzinfo=timezone.utc)
                                                                   - created).total_seconds()
    assert samples[("quytrinh_job_last_duration_seconds", (("job", "deliver"),))] >= 0
    assert ("quytrinh_job_last_run_timestamp_seconds", (("job", "deliver"),)) in samples


def test_metrics_token_is_required_when_configured(app):
    """With METRICS_TOKEN set, /metrics answers 401 without the bearer token and 200 with it."""
    app.config["METRICS_TOKEN"] = "scrape-secret-2026"
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2026"}).status_code == 200


def test_each_response_carries_a_request_id_and_json_logs_name_it(app):
    """A caller's X-Request-ID is echoed (a new one made otherwise), and a JSON log line inside carries it."""
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "req-2026-abcdef"}).headers["X-Request-ID"] == \
        "req-2026-abcdef"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert len(made) == 32 and " " not in made
    with app.test_request_context("/healthz", headers={"X-Request-ID": "req-2026-xyz123"}):
        record = logging.LogRecord("quytrinh", logging.WARNING, __file__, 1, "nhắc hạn %s", ("gửi",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-2026-xyz123" and line["message"] == "nhắc hạn gửi"
    assert line["level"] == "WARNING" and line["path"] == "/healthz" and line["time"].endswith("+00:00")
