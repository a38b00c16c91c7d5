"""A plain page listing the cases (until the full UI lands)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template_string
from sqlalchemy import select

from models import Case, Organisation, Person

bp = Blueprint("plain", __name__)

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>quytrinh — hồ sơ</title>
<h1>Hồ sơ</h1><table border="1" cellpadding="4"><tr><th>#</th><th>Thủ tục</th><th>Người</th><th>Tổ chức</th><th>Trạng thái</th></tr>
{% for c, p, o in rows %}<tr><td>{{ c.id }}</td><td>{{ c.procedure }}</td><td>{{ p.full_name }}</td><td>{{ o.name }}</td><td>{{ c.state }}</td></tr>{% endfor %}
</table></html>"""


@bp.get("/")
def index():
    runtime = current_app.extensions["quytrinh"]
    with runtime.session_factory() as session:
        rows = session.execute(
            select(Case, Person, Organisation).join(Person, Person.id == Case.person_id)
            .join(Organisation, Organisation.id == Case.organisation_id).order_by(Case.id).limit(500)
        ).all()
        return render_template_string(PAGE, rows=rows)
