"""The data of each procedure's steps, as a client that knows only api.md sends it."""
from __future__ import annotations

from datetime import date, timedelta


def vote(day: date, eligible: int, agree: int | None = None, method: str = "show_of_cards") -> dict:
    agree = eligible if agree is None else agree
    return {"date": day.isoformat(), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
            "method": method}


def admission_steps(helper_id: int, introducers: tuple[int, int], start: date) -> list[tuple[str, str, date, dict]]:
    """(trigger, who, day, data) of a clean admission in a cell under a delegated commune committee."""
    d = lambda n: start + timedelta(days=n)  # noqa: E731
    return [
        ("open", "secretary", d(0), {"resolution_date": d(0).isoformat(), "helper_id": helper_id}),
        ("submit_application", "secretary", d(20), {
            "application_date": d(20).isoformat(), "education": "upper_secondary",
            "certificate": {"number": "CN-NTVĐ 0412", "issued_on": (start - timedelta(days=30)).isoformat()},
            "introducers": [{"person_id": introducers[0], "known_since": "2020-01-01"},
                            {"person_id": introducers[1], "known_since": "2019-06-01"}]}),
        ("verify_background", "officer", d(40), {"date": d(40).isoformat(), "conclusion": "Lý lịch rõ ràng."}),
        ("collect_opinions", "secretary", d(50), {"date": d(50).isoformat(), "summary": "Nhận xét tốt."}),
        ("cell_vote", "secretary", d(56), {"vote": vote(d(56), 5)}),
        ("committee_vote", "committee", d(63), {"vote": vote(d(63), 7)}),
        ("decide_admission", "standing", d(70), {"decision_date": d(70).isoformat(),  # numbered by the register
                                                 "received_date": d(72).isoformat()}),
        ("hold_ceremony", "secretary", d(80), {"ceremony_date": d(80).isoformat()}),
    ]
