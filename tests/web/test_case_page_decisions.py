"""The case page after a decision (issue 13 item 13): the appeal window's end, the decision date once, and a
diagram that highlights only the path the case took."""
from __future__ import annotations

import re
from datetime import date

from tests.support.flows import walk_plan
from tests.web.support import admission_case, sign_in
from workflows.demo.plans import discipline_plan


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _discipline_in_force(runtime, world):
    plan = discipline_plan(date(2026, 10, 26), violation_date=date(2026, 10, 1))
    return walk_plan(runtime, world, plan, "cell1_m4", "discipline")


def test_discipline_decision_shows_the_appeal_window_end(app, runtime, world):
    """After a reprimand decided 25/11/2026 and received 27/11, the page says an appeal may be filed until
    27/12/2026 (one calendar month), with the working days left and the legal basis — not «no deadline»."""
    case = _discipline_in_force(runtime, world)
    assert case.state == "in_force"
    html = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    ends = date.fromisoformat(case.data["appeal_until"]).strftime("%d/%m/%Y")
    assert f"Có thể khiếu nại quyết định này đến hết ngày <strong>{ends}</strong>" in html
    side = html.split('id="deadlines-title"')[1].split("</section>")[0]
    assert "Thời hạn khiếu nại" in side and f"đến hết ngày {ends}" in side and "ngày làm việc" in side
    assert "Không có thời hạn" not in side


def test_the_decision_date_is_shown_once(app, runtime, world):
    """The decision's timeline entry shows «Ngày quyết định» once (not again as an effect)."""
    case = _discipline_in_force(runtime, world)
    html = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    items = html.split('class="timeline__item"')[1:]
    decision = next(item for item in items if "Ngày quyết định" in item)
    assert decision.count("Ngày quyết định") == 1


def test_the_diagram_highlights_only_the_moves_the_case_made(app, runtime, world):
    """An admission decided by the commune after its committee vote: the edge «cell approved → admitted» joins two
    visited states but was not taken, so it is not drawn as passed; every passed edge is a step the case took."""
    case = admission_case(runtime, world, "cell1", until="completed")
    html = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    svg = html.split('class="diagram"')[1].split("</svg>")[0]  # the diagram's, not the header bell's
    passed = re.findall(r'<path class="diagram__edge diagram__edge--passed[^"]*" d="[^"]*"[^>]*><title>([^<]*)</title>', svg)
    plain = re.findall(r'<path class="diagram__edge(?: diagram__edge--back)?" d="[^"]*"[^>]*><title>([^<]*)</title>', svg)
    assert len(passed) == 7  # sympathiser → … → committee approved → admitted → completed: seven moves
    assert "Quyết định kết nạp" in " ".join(plain)  # the decision edge from «cell approved» stays plain
