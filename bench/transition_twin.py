"""The raw-SQL twin of bench/transition.py: an admission transition written by hand.

The stdlib `sqlite3` / `psycopg` with hand-written SQL doing the reads, checks
and writes the engine does for cell_vote, committee_vote and decide_admission
(see bench/README.md). transition.py checks afterwards that both sides wrote
the same rows, so the twin stays a twin.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import sys
from datetime import date, datetime, timezone
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.record import DEVELOPMENT_KEY, GENESIS  # noqa: E402  (the bench's engine signs with this key)
from workflows.domain.calendar import add_months, age_in_months  # noqa: E402
from workflows.domain.forms import BODY_SYMBOLS, KIND_SYMBOLS  # noqa: E402
from workflows.domain.text import fold  # noqa: E402
from workflows.procedures.registry import get_procedure  # noqa: E402

TIMED = ("cell_vote", "committee_vote", "decide_admission")
ROLE_OF = {"cell_vote": "cell_secretary", "committee_vote": "committee_member", "decide_admission": "standing_committee"}
DECISION_BASIS = "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1; quyết định chậm vẫn có hiệu lực (QĐ 24 §4.2 b)"
CEREMONY_BASIS = "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.1"
# The document each step issues (form id, title, kind, template): constants, as a hand-written twin would keep
# them; read once from the definition so the titles stay the engine's.
FORMS = {form.step: (form.id, form.title, form.kind, form.template)
         for form in get_procedure("admission", "cpv-2025").forms if form.step in TIMED}


class Twin:
    """The same transition by hand: the reads, checks and writes an engineer would write without the engine."""

    def __init__(self, url: str, calendar, deadline_columns: set[str]):
        self.pg = not url.startswith("sqlite")
        if self.pg:
            import psycopg
            from psycopg.types.json import Json

            # autocommit: the twin sends its own BEGIN/COMMIT. Without it psycopg opens a transaction on the
            # first statement, so our BEGIN was a second round trip (and a server warning) per transition.
            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True)
            self.json = Json
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=FULL"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.json = json.dumps
        self.calendar = calendar
        self.timings = {"started_on", "met_on"} <= deadline_columns

    def q(self, sql: str, params=()):
        cur = self.conn.execute(sql.replace("?", "%s") if self.pg else sql, params)
        return cur

    def stamp(self, value: datetime):
        return value if self.pg else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def iso(value: datetime) -> str:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")

    @staticmethod
    def digest(parts: list) -> str:
        blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    @staticmethod
    def sign(chain: str, seq: int, digest: str) -> str:
        return hmac.new(DEVELOPMENT_KEY, f"{chain}/{seq}/{digest}".encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def text(value) -> str | None:
        """A date column as ISO text (SQLite returns the text already)."""
        return value.isoformat() if isinstance(value, date) else value

    def day(self, value: date | None):
        return value if self.pg or value is None else value.isoformat()

    def fire(self, case_id: int, trigger: str, actor_id: int, raw: dict, revision: int, today: date) -> int:
        now = datetime.combine(today, dtime(2, 0), tzinfo=timezone.utc)
        q = self.q
        q("BEGIN" if self.pg else "BEGIN IMMEDIATE")
        try:
            new_revision = self._fire(q, case_id, trigger, actor_id, raw, revision, today, now)
        except BaseException:
            q("ROLLBACK")
            raise
        q("COMMIT")
        return new_revision

    def _fire(self, q, case_id, trigger, actor_id, raw, revision, today, now) -> int:
        case = q("SELECT state, revision, organisation_path, person_id, data, closed_at, event_head, rule_set "
                 "FROM cases WHERE id = ?", (case_id,)).fetchone()
        state, current, path, person_id, data, closed_at, head, rule_set = case
        data = data if self.pg else json.loads(data)
        if q("SELECT id FROM users WHERE id = ? AND active", (actor_id,)).fetchone() is None:
            raise PermissionError(actor_id)
        grants = q("SELECT r.role, r.organisation_id, o.path FROM role_assignments r JOIN organisations o "
                   "ON o.id = r.organisation_id WHERE r.user_id = ?", (actor_id,)).fetchall()
        if not any(path.startswith(g[2]) for g in grants) or current != revision:
            raise RuntimeError("not visible or stale")
        ids = [int(p) for p in path.strip("/").split("/")]
        chain = {row[0]: row for row in q(
            f"SELECT id, kind, admission_authority, name, parent_id FROM organisations "
            f"WHERE id IN ({','.join('?' * len(ids))})",
            ids).fetchall()}
        grassroots = next(i for i in reversed(ids) if chain[i][1] in ("grassroots_committee", "grassroots_cell"))
        competent = next(i for i in reversed(ids[: ids.index(grassroots) + 1]) if chain[i][2])
        person = q("SELECT id, birth_date, education, membership_status, full_name, gender, joined_on, official_on "
                   "FROM persons WHERE id = ?",
                   (person_id,)).fetchone()
        deadlines = q("SELECT id, kind, due_date, started_on FROM deadlines WHERE case_id = ? AND status = 'open'"
                      if self.timings else
                      "SELECT id, kind, due_date, NULL FROM deadlines WHERE case_id = ? AND status = 'open'",
                      (case_id,)).fetchall()
        target = {"cell_vote": ids[-1], "committee_vote": grassroots, "decide_admission": competent}[trigger]
        allowed = set(ids[: ids.index(target) + 1])
        if not any(role == ROLE_OF[trigger] and org in allowed for role, org, _ in grants):
            raise PermissionError(trigger)

        stored, vote, outcome, day = dict(raw), raw.get("vote"), None, None
        if trigger in ("cell_vote", "committee_vote"):
            day = date.fromisoformat(vote["date"])
            if not (1 <= vote["eligible"] and 0 <= vote["agree"] and vote["agree"] + vote["disagree"] <= vote["eligible"]):
                raise ValueError("vote")
            outcome = "passed" if 3 * vote["agree"] >= 2 * vote["eligible"] else "failed"
        else:
            day = date.fromisoformat(raw["decision_date"])
        earlier = [data["collect_opinions"]["date"]] + [data[t]["vote"]["date"] for t in TIMED[:2] if t in data]
        if day > today or day.isoformat() < max(earlier):
            raise ValueError("date rules")
        if trigger == "cell_vote":  # the eligibility rules, by hand
            submitted = data["submit_application"]
            birth = person[1] if self.pg else date.fromisoformat(person[1])
            issued = date.fromisoformat(submitted["certificate"]["issued_on"])
            introducers = [i["person_id"] for i in submitted["introducers"]]
            # Official members of the applicant's grassroots organisation, known to them for 12 months.
            statuses = q(f"SELECT p.membership_status, o.path FROM persons p JOIN organisations o "
                         f"ON o.id = p.organisation_id WHERE p.id IN ({','.join('?' * len(introducers))})",
                         introducers).fetchall()
            unit = "/" + "/".join(str(i) for i in ids[: ids.index(grassroots) + 1]) + "/"
            if not (216 <= age_in_months(birth, day) <= 720 and submitted["education"] != "primary"
                    and issued <= day < add_months(issued, 60) and len(statuses) == 2
                    and all(s[0] == "official" and s[1].startswith(unit) for s in statuses)
                    and all(add_months(date.fromisoformat(i["known_since"]), 12) <= day
                            for i in submitted["introducers"])):
                raise ValueError("eligibility")
        due = {kind: d for _, kind, d, _ in deadlines}.get("admission_decision")
        if trigger == "decide_admission" and due is not None and day > (due if self.pg else date.fromisoformat(due)):
            raise ValueError("deadline_passed")
        dest = {"cell_vote": {"passed": "cell_approved", "failed": "referred_to_superior"},
                "committee_vote": {"passed": "committee_approved", "failed": "referred_to_superior"},
                "decide_admission": {None: "admitted"}}[trigger][outcome]

        seq = revision + 1
        # The step's document: a number from the issuing body's register (one upsert), a decision's number
        # filled in, the facts it is filled from stored with their sha256, which the event records.
        form_id, title, form_kind, template = FORMS[trigger]
        issuer = chain[target]
        number = q("INSERT INTO form_number_counters (organisation_id, year, kind, last) VALUES (?, ?, ?, 1) "
                   "ON CONFLICT (organisation_id, year, kind) DO UPDATE SET last = form_number_counters.last + 1 "
                   "RETURNING last", (target, day.year, form_kind)).fetchone()[0]
        label = f"{number}-{KIND_SYMBOLS[form_kind]}/{BODY_SYMBOLS.get(issuer[1], 'ĐU')}"
        if form_kind == "decision":
            stored["decision_number"] = label
        case_data = {**data, trigger: stored}
        facts = {"form": form_id, "title": title, "kind": form_kind, "template": template, "step": trigger,
                 "procedure": "admission", "rule_set": rule_set, "case_id": case_id, "draft": False,
                 "outcome": outcome, "chain": [{"id": i, "name": chain[i][3], "kind": chain[i][1],
                                                "admission_authority": bool(chain[i][2]), "parent_id": chain[i][4]}
                                               for i in ids],
                 "issuer_id": target, "number": label, "date": day.isoformat(),
                 "person": {"id": person_id, "full_name": person[4], "birth_date": self.text(person[1]),
                            "gender": person[5], "joined_on": self.text(person[6]),
                            "official_on": self.text(person[7])},
                 "data": case_data, "names": {}}
        facts_hash = self.digest(facts)
        q("INSERT INTO form_numbers (organisation_id, year, kind, number, label, case_id, form_id, at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (target, day.year, form_kind, number, label, case_id, form_id,
                                              self.stamp(now)))
        q("INSERT INTO issued_forms (case_id, person_id, seq, form_id, template, number, issued_on, facts, sha256, "
          "issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          (case_id, person_id, seq, form_id, template, label, self.day(day), self.json(facts), facts_hash,
           self.stamp(now)))
        event_data = dict(stored)
        if outcome:
            event_data["outcome"] = outcome
        decided = None
        if trigger == "decide_admission":
            decided = day
            event_data["effects"] = {"decided_on": [None, day.isoformat()], "person_id": person_id,
                                     "person": {"membership_status": [person[3], "probationary"],
                                                "joined_on": [None, day.isoformat()]}}
            q("UPDATE persons SET membership_status = 'probationary', joined_on = ?, official_on = NULL, "
              "left_on = NULL, left_reason = NULL, revision = revision + 1 WHERE id = ?", (self.day(day), person_id))
        event_data["forms"] = {form_id: {"number": label, "template": template, "sha256": facts_hash}}
        # The tamper-evident record, by hand: the event's hash linked to the case's head, the head signed.
        event_hash = self.digest(["event", head or GENESIS, case_id, seq, trigger, state, dest, actor_id,
                                  self.iso(now), event_data, None])
        cur = q("UPDATE cases SET state = ?, revision = ?, data = ?, decided_on = COALESCE(?, decided_on), "
                "event_head = ?, event_mac = ? WHERE id = ? AND revision = ?",
                (dest, seq, self.json(case_data), self.day(decided), event_hash,
                 self.sign(f"case/{case_id}", seq, event_hash), case_id, revision))
        if cur.rowcount != 1:
            raise RuntimeError("conflict")
        for deadline_id, kind, due_date, started in deadlines:
            if trigger == "decide_admission" and kind == "admission_decision":
                if self.timings:
                    started = started if self.pg or started is None else date.fromisoformat(started)
                    due_date = due_date if self.pg else date.fromisoformat(due_date)
                    q("UPDATE deadlines SET status = 'met', closed_at = ?, met_on = ?, working_days_taken = ?, "
                      "working_days_allowed = ? WHERE id = ?",
                      (self.stamp(now), self.day(day), self.calendar.working_days_between(started, day),
                       self.calendar.working_days_between(started, due_date), deadline_id))
                else:
                    q("UPDATE deadlines SET status = 'met', closed_at = ? WHERE id = ?", (self.stamp(now), deadline_id))
        opens = {"cell_vote": ("admission_decision", 60, "standing_committee", competent, DECISION_BASIS),
                 "decide_admission": ("ceremony", 30, "cell_secretary", ids[-1], CEREMONY_BASIS)}.get(trigger)
        if opens:
            kind, days, role, org, basis = opens
            base = date.fromisoformat(raw.get("received_date") or raw["decision_date"]) if kind == "ceremony" else day
            columns = "case_id, kind, due_date, role, organisation_id, status, opened_at, legal_basis"
            values = [case_id, kind, self.day(self.calendar.add_working_days(base, days)), role, org, "open",
                      self.stamp(now), basis]
            if self.timings:
                columns += ", started_on"
                values.append(self.day(day))
            q(f"INSERT INTO deadlines ({columns}) VALUES ({','.join('?' * len(values))})", values)
        if vote:
            q("INSERT INTO votes (case_id, event_seq, body, held_on, eligible, agree, disagree, method, threshold, "
              "passed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (case_id, seq, trigger.removesuffix("_vote"), self.day(day), vote["eligible"], vote["agree"],
               vote["disagree"], vote["method"], "two_thirds", outcome == "passed"))
        q("INSERT INTO events (case_id, seq, trigger, from_state, to_state, actor_id, at, data, comment, hash) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          (case_id, seq, trigger, state, dest, actor_id, self.stamp(now), self.json(event_data), None, event_hash))
        if form_kind == "decision":  # the search finds a case by its decision number, folded
            q("INSERT INTO decision_numbers (number_key, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
              (fold(label)[:100], case_id))
        # The audit row joins a lane of the audit chain: take a free lane's head, link, move the head.
        lane_name, lane_seq, prev = q(
            "UPDATE chain_heads SET seq = seq + 1 WHERE name = (SELECT name FROM chain_heads WHERE name LIKE "
            "'audit/%%' ORDER BY name LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING name, seq, hash" if self.pg else
            "UPDATE chain_heads SET seq = seq + 1 WHERE name = 'audit/0' RETURNING name, seq, hash").fetchone()
        lane, detail = int(lane_name.rsplit("/", 1)[1]), f"{state} -> {dest}"
        audit_hash = self.digest(["audit", prev, lane, lane_seq, self.iso(now), actor_id, f"case.{trigger}", "case",
                                  str(case_id), "ok", None, detail, None])
        q("UPDATE chain_heads SET hash = ?, mac = ? WHERE name = ?",
          (audit_hash, self.sign(lane_name, lane_seq, audit_hash), lane_name))
        q("INSERT INTO audit_log (at, user_id, action, object_type, object_id, outcome, detail, lane, seq, hash) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          (self.stamp(now), actor_id, f"case.{trigger}", "case", str(case_id), "ok", detail, lane, lane_seq,
           audit_hash))
        return seq
