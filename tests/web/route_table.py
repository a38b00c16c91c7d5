"""The access matrix of the web UI: every route × every role × own/foreign organisation → expected answer.

test_access_matrix.py walks it with a signed-in client per principal and fails
on any difference, and fails when app.url_map has a route this table does not
list (or the table lists a route that no longer exists).

Adding a route: add one `Route(...)` row (a targeted edit), with the answer for
each principal, in the order of PRINCIPALS, for an object in the principals'
own organisation (cell1 under the delegated commune) and in a foreign one
(cell3 under the ward). `foreign` defaults to `own` for routes without an object.

Symbols:  ok = 200   L = redirect to the sign-in page   R = another redirect
          F = 403    N = 404 (absent, or invisible: the same answer)
          V = 400/422 (access granted, the empty form was refused: nothing written)
          C = 409

URL parameters are filled from the seeded objects: <int:case_id>, <int:person_id>,
<int:org_id>, <int:document_id>, <int:user_id>, <int:grant_id>, <day>, <trigger>,
<procedure>, <path:filename>; add a filler in test_access_matrix.py for a new name.

The REST API (everything under /api/) is ONE prefix entry here: it authenticates with
bearer tokens, not the session, and its own access tests (tests/api/) walk its
routes × roles × organisations. Every other route is listed one by one.
"""
from __future__ import annotations

from dataclasses import dataclass

# Who asks: anonymous, then users of tests/support/world.py.
PRINCIPALS = ("anonymous", "secretary1", "committee", "officer", "standing_commune", "inspection", "inspector",
              "outsider", "admin")

# Routes whose requests are answered by another test suite (see the module docstring).
DELEGATED_PREFIXES = {"/api/": "tests/api (bearer tokens; its own route × role × organisation tests)"}


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    own: str
    foreign: str | None = None
    query: str = ""  # appended to the URL (e.g. a filter)
    relogin: bool = False  # the request signs the client out (logout)

    def expected(self, where: str) -> list[str]:
        row = (self.foreign if where == "foreign" and self.foreign else self.own).split()
        assert len(row) == len(PRINCIPALS), f"{self.method} {self.rule}: {len(row)} answers for {len(PRINCIPALS)} principals"
        return row


#                                                             anon sec1 comm offi stand insp inspr outs admin
ROUTES = [
    # ---------------------------------------------------------------- public and account
    Route("GET", "/static/<path:filename>", "ok ok ok ok ok ok ok ok ok"),
    Route("GET", "/login", "ok R R R R R R R R"),
    # Probes and metrics answer anyone (docs/operations.md; QUYTRINH_METRICS_TOKEN guards /metrics).
    Route("GET", "/healthz", "ok ok ok ok ok ok ok ok ok"),
    Route("GET", "/readyz", "ok ok ok ok ok ok ok ok ok"),
    Route("GET", "/metrics", "ok ok ok ok ok ok ok ok ok"),
    Route("POST", "/login", "V R R R R R R R R"),
    Route("POST", "/logout", "L L L L L L L L L", relogin=True),  # signed out: back to the sign-in page
    Route("POST", "/language", "R R R R R R R R R"),
    Route("GET", "/login/code", "L R R R R R R R R"),  # the second step of signing in (none pending: sign-in page)
    Route("POST", "/login/code", "L R R R R R R R R"),
    Route("GET", "/account/sessions", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/account/sessions/end-all", "L L L L L L L L L", relogin=True),  # sign out everywhere
    Route("GET", "/account/two-factor", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/account/two-factor/start", "L R R R R R R R R"),
    Route("POST", "/account/two-factor/confirm", "L V V V V V V V V"),
    Route("POST", "/account/two-factor/recovery-codes", "L V V V V V V V V"),
    Route("POST", "/account/two-factor/disable", "L V V V V V V V V"),
    Route("GET", "/account/password", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/account/password", "L V V V V V V V V"),
    Route("GET", "/account/preferences", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/account/preferences", "L V V V V V V V V"),
    # Notifications and the calendar feed: one's own only (another's notification is absent: N).
    Route("GET", "/notifications", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/notifications/<int(max=2147483647):notification_id>/read", "L N N N N N N N N"),
    Route("POST", "/notifications/read-all", "L R R R R R R R R"),
    Route("GET", "/account/notifications", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/account/notifications", "L V V V V V V V V"),
    Route("POST", "/account/calendar-feed", "L ok ok ok ok ok ok ok ok"),
    Route("POST", "/account/calendar-feed/delete", "L R R R R R R R R"),
    Route("GET", "/feeds/<token>.ics", "N N N N N N N N N"),  # the address is the secret: unknown → 404
    # «Keep working» under the idle warning.
    Route("GET", "/session/keepalive", "L ok ok ok ok ok ok ok ok"),
    # ---------------------------------------------------------------- my work and cases
    Route("GET", "/", "L ok ok ok ok ok ok ok ok"),
    Route("GET", "/cases/", "L ok ok ok ok ok ok ok ok"),
    Route("GET", "/cases/<int:case_id>",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    # The applicant's case waits for submit_application: the cell secretary's step.
    # admin administers the system and records no party step (issue 13).
    Route("POST", "/cases/<int:case_id>/actions/<trigger>",
          own="L V F F F F F N F", foreign="L N N N N F F N F"),
    # The addresses forms post to, opened by GET (reload, return after sign-in): a redirect to the case page,
    # which checks access itself.
    Route("GET", "/cases/<int:case_id>/actions/<trigger>", "L R R R R R R R R"),
    Route("GET", "/cases/<int:case_id>/comments", "L R R R R R R R R"),
    Route("GET", "/cases/<int:case_id>/documents", "L R R R R R R R R"),
    Route("POST", "/cases/<int:case_id>/comments",
          own="L V V V V V F N V", foreign="L N N N N V F N V"),
    Route("POST", "/cases/<int:case_id>/documents",
          own="L V V V V V F N V", foreign="L N N N N V F N V"),
    Route("GET", "/cases/documents/<int:document_id>",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    # Generated documents (issue 15): readable by whoever reads the case; the case waits for its first
    # vote, so its resolution is a draft (without ?draft=1 it would be 409).
    Route("GET", "/cases/<int:case_id>/forms/<form_id>.<any(pdf, docx):fmt>",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok", query="?draft=1"),
    Route("GET", "/cases/<int:case_id>/print",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/people/<int:person_id>/dossier.pdf",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    # ---------------------------------------------------------------- organisations and people
    Route("GET", "/organisations", "L ok ok ok ok ok ok ok ok"),
    Route("GET", "/organisations/<int:org_id>",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/organisations/<int:org_id>/people/new",
          own="L ok ok ok ok F F N ok", foreign="L N N N N F F N ok"),
    Route("POST", "/organisations/<int:org_id>/people/new",
          own="L V V V V F F N V", foreign="L N N N N F F N V"),
    Route("GET", "/people/<int:person_id>",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/people/<int:person_id>/edit",
          own="L ok ok ok ok F F N ok", foreign="L N N N N F F N ok"),
    Route("POST", "/people/<int:person_id>/edit",
          own="L V V V V F F N V", foreign="L N N N N F F N V"),
    # The picker only redirects to the form below, which checks access.
    Route("GET", "/people/<int:person_id>/open", "L R R R R R R R R", query="?procedure=admission"),
    Route("GET", "/people/<int:person_id>/open/<procedure>",
          own="L ok F F F F F N F", foreign="L N N N N F F N F"),
    Route("POST", "/people/<int:person_id>/open/<procedure>",
          own="L V F F F F F N F", foreign="L N N N N F F N F"),
    # ---------------------------------------------------------------- administration (system administrators)
    Route("GET", "/admin/users", "L F F F F F F F ok"),
    Route("GET", "/admin/users/new", "L F F F F F F F ok"),
    Route("POST", "/admin/users/new", "L F F F F F F F V"),
    Route("GET", "/admin/users/<int:user_id>", "L F F F F F F F ok"),
    Route("POST", "/admin/users/<int:user_id>", "L F F F F F F F V"),
    Route("POST", "/admin/users/<int:user_id>/roles", "L F F F F F F F V"),
    Route("GET", "/admin/users/<int:user_id>/roles", "L F F F F F F F R"),
    Route("POST", "/admin/roles/<int:grant_id>/revoke", "L F F F F F F F R"),
    Route("GET", "/admin/organisations", "L F F F F F F F ok"),
    Route("POST", "/admin/organisations", "L F F F F F F F V"),
    Route("GET", "/admin/organisations/<int:org_id>", "L F F F F F F F ok"),
    Route("POST", "/admin/organisations/<int:org_id>", "L F F F F F F F V"),
    Route("GET", "/admin/calendar", "L F F F F F F F ok"),
    Route("POST", "/admin/calendar", "L F F F F F F F V"),
    Route("POST", "/admin/calendar/<day>/delete", "L F F F F F F F R"),
    # Reminder outbox and incidents (web/admin/outbox.py); retry takes the incident id from the form.
    Route("GET", "/admin/outbox", "L F F F F F F F ok"),
    Route("GET", "/admin/incidents", "L F F F F F F F ok"),
    Route("POST", "/admin/incidents/retry", "L F F F F F F F V"),
    # Import of organisations and members (issue 16, web/admin/imports.py): admins and organisation officers.
    Route("GET", "/imports", "L F F ok F F F F ok"),
    Route("POST", "/imports", "L F F V F F F F V"),
    Route("POST", "/imports/jobs", "L F F V F F F F V"),
    Route("GET", "/imports/jobs/<job_id>", "L N N N N N N N N"),  # only the importer's own job exists for them
    Route("GET", "/imports/mau-nhap-lieu.xlsx", "L F F ok F F F F ok"),
    # ---------------------------------------------------------------- reports (web/reports/views.py) and audit log (issue 7)
    Route("GET", "/reports/", "L R R R R R R F R"),  # to the top organisation's statistics; no role: refused
    Route("GET", "/reports/<int:org_id>/statistics", own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/reports/<int:org_id>/statistics/export",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/reports/<int:org_id>/pipeline", own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/reports/<int:org_id>/pipeline/export",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    # Compliance: inspectors, inspection and standing committees only.
    Route("GET", "/reports/<int:org_id>/compliance", own="L F F F ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/reports/<int:org_id>/compliance/export",
          own="L F F F ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/reports/<int:org_id>/register", own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/reports/<int:org_id>/register/export",
          own="L ok ok ok ok ok ok N ok", foreign="L N N N N ok ok N ok"),
    Route("GET", "/audit-log", "L F F F F ok ok F ok"),
]
