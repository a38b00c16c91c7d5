"""The working-day calendar and the summary report."""
from __future__ import annotations

from marshmallow import RAISE

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, runtime
from web.api.schemas import (
    DateSchema,
    SummaryQuerySchema,
    SummarySchema,
    WorkingDaysQuerySchema,
)
from workflows.reports.pages import report_summary

calendar = api_blueprint("api_calendar", __name__, "/calendar", "Working-day calendar")
reports = api_blueprint("api_reports", __name__, "/reports", "Statistics")


@calendar.route("/add-working-days", methods=["GET"])
@calendar.arguments(WorkingDaysQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@calendar.response(200, DateSchema)
@documents(calendar, 401)
def add_working_days(query):
    """The `days`-th working day after `start` (weekends, public holidays and the admins' swaps applied)."""
    return {"date": runtime().calendar().add_working_days(query["start"], query["days"])}


@reports.route("/summary", methods=["GET"])
@reports.arguments(SummaryQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@reports.response(200, SummarySchema)
@documents(reports, 401, 404)
def summary(query):
    """Decisions in the organisation's subtree whose decision date falls in [from, to]."""
    return report_summary(runtime(), actor_id=caller_id(), organisation_id=query["organisation_id"],
                          date_from=query["from_"], date_to=query["to"])
