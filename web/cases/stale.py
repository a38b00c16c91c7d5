"""A stale or repeated submit in words: what happened to the case since the form was opened, and a link to it.

A form posted twice (a double click, a resend after reload) or after someone else
moved the case finds its step gone or the case's revision changed. The user is
told who recorded what and when («Bước «…» đã được … ghi lúc …»), never an
internal state name.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from web.common.i18n import LOCAL_ZONE, label
from workflows.read.casefile import CaseFile


def _step_label(file: CaseFile, trigger: str) -> str:
    steps = file.definition.steps_for(trigger)
    return label(steps[0]) if steps else trigger


def _by(file: CaseFile, event) -> str:
    return file.actors.get(event.actor_id) or _("the system")


def _when(event) -> str:
    local = event.at.astimezone(LOCAL_ZONE)
    return _("%(time)s on %(day)s", time=local.strftime("%H:%M"), day=local.strftime("%d/%m/%Y"))


def happened_since(file: CaseFile, trigger: str, revision: int | None = None) -> list[str]:
    """Sentences saying what was recorded: the same step (a repeat), or the steps after `revision`."""
    same = [e for e in file.events if e.trigger == trigger and (revision is None or e.seq > revision)]
    if same:
        last = same[-1]
        return [_("The step «%(step)s» was already recorded by %(who)s at %(when)s.", step=_step_label(file, trigger),
                  who=_by(file, last), when=_when(last))]
    later = [e for e in file.events if revision is not None and e.seq > revision] or file.events[-1:]
    return [_("«%(step)s» was recorded by %(who)s at %(when)s.", step=_step_label(file, e.trigger), who=_by(file, e),
              when=_when(e)) for e in later]


def stale_page(file: CaseFile, trigger: str, revision: int | None = None):
    """The 409 page of a step that can no longer be taken: what happened, where the case is, a link to it."""
    state = file.definition.state(file.case.state) if file.case.state else None
    return render_template(
        "cases/stale.html", file=file, case=file.case, sentences=happened_since(file, trigger, revision),
        step=_step_label(file, trigger), state=label(state) if state else "—",
    ), 409
