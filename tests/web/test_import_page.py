"""The import page: upload, progress followed as JSON, the report row by row in Vietnamese, access."""
from __future__ import annotations

import io
import time

from tests.imports.support import counts, member, workbook
from tests.web.support import csrf_token, sign_in


def form(client, data: bytes, name: str = "nhap.xlsx", **extra) -> dict:
    return {"csrf_token": csrf_token(client, "/imports"), "file": (io.BytesIO(data), name), **extra}


def test_the_page_offers_the_upload_and_the_template(app, world):
    """An admin sees the form (file, dry run), the template link and «Nhập dữ liệu» in the navigation."""
    client = app.test_client()
    sign_in(client, "admin")
    html = client.get("/imports").get_data(as_text=True)
    assert 'type="file"' in html and 'name="dry_run"' in html and "Nhập dữ liệu" in html
    assert "<progress" in html and "Tải tệp mẫu" in html
    template = client.get("/imports/mau-nhap-lieu.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_posting_a_file_with_errors_shows_the_report_and_writes_nothing(app, runtime, world):
    """Without JavaScript: the report lists sheet, row, column and the Vietnamese message; counts unchanged."""
    client = app.test_client()
    sign_in(client, "officer")
    before = counts(runtime)
    data = workbook(world.orgs["province"], [member(1, **{"Ngày sinh": "32/01/1980"})],
                    [["CB-MOI", "Chi bộ thôn Mới", "Chi bộ", f"TC-{world.orgs['commune']}", ""]])
    response = client.post("/imports", data=form(client, data), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chưa nhập: tệp có lỗi" in html and "Ngày «32/01/1980» không có thật." in html
    assert "<td data-label=\"Trang\">Dang vien</td>" in html and "<td data-label=\"Cột\">C</td>" in html
    assert counts(runtime) == before


def test_the_background_import_is_followed_to_its_report(app, runtime, world):
    """With JavaScript: 202 with a status address; the status counts rows and ends with the report's address."""
    client = app.test_client()
    sign_in(client, "admin")
    data = workbook(world.orgs["province"], [member(n) for n in range(1, 4)])
    started = client.post("/imports/jobs", data=form(client, data), headers={"Accept": "application/json"})
    assert started.status_code == 202
    status = started.get_json()
    for _ in range(100):
        status = client.get(started.get_json()["status_url"]).get_json()
        if status["finished"]:
            break
        time.sleep(0.1)
    assert status["finished"] and status["done"] == status["total"] > 0
    html = client.get(status["report_url"]).get_data(as_text=True)
    assert "Đã nhập xong" in html and '<tr id="import-counts"><td>6</td><td>0</td><td>0</td><td>0</td></tr>' in html
    other = app.test_client()
    sign_in(other, "officer")
    assert other.get(started.get_json()["status_url"]).status_code == 404  # another user's import


def test_a_file_over_the_limit_gets_a_clear_message(app, world):
    """A 21 MB upload is refused before it is read: 413 with the page saying the file is too large."""
    client = app.test_client()
    sign_in(client, "admin")
    response = client.post("/imports", data=form(client, bytes(21 * 1024 * 1024), "lon.xlsx"))
    assert response.status_code == 413 and "quá lớn" in response.get_data(as_text=True)


def test_a_cell_secretary_may_not_open_the_import(app, world):
    """The page is for administrators and organisation officers; a cell secretary gets 403."""
    client = app.test_client()
    sign_in(client, "secretary1")
    assert client.get("/imports").status_code == 403
    assert "/imports" not in client.get("/").get_data(as_text=True)
