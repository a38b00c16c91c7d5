"""POST /api/v1/imports (api.md «Additions»): multipart file, dry_run as field or query, 200 counts, 422 errors."""
from __future__ import annotations

import io

import pytest

from tests.api.support import PASSWORD
from tests.imports.support import member, workbook

pytestmark = pytest.mark.usefixtures("api")


@pytest.fixture(scope="module")
def province(api) -> int:
    return api.ok("POST", "/organisations", 201, json={"name": "Đảng bộ tỉnh", "kind": "province_committee"})["id"]


def post(api, data: bytes, *, as_: str = "admin", query: str = "", **form):
    return api.request("POST", "/imports" + query, as_=as_, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "nhap.xlsx"), **form})


def persons(api, province) -> int:
    return len(api.client.application.extensions["quytrinh"].session_factory().execute(
        __import__("sqlalchemy").text("SELECT id FROM persons")).all())


def test_a_dry_run_by_field_or_query_counts_without_writing(api, province):
    """dry_run=true as a form field or in the query string: 200 with the counts, nothing written."""
    data = workbook(province, [member(1), member(2)])
    for response in (post(api, data, dry_run="true"), post(api, data, query="?dry_run=true")):
        assert response.status_code == 200, response.get_data(True)
        body = response.get_json()
        assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (5, 0, 0, [])
        assert body["dry_run"] is True
    assert persons(api, province) == 0


def test_an_import_then_the_same_file_again(api, province):
    """200 {created: 5}; the same file again: 0 created, 0 updated, 5 unchanged."""
    data = workbook(province, [member(11), member(12)])
    first = post(api, data)
    assert first.status_code == 200 and first.get_json()["created"] == 5
    again = post(api, data).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5)


def test_errors_answer_422_invalid_input_with_the_rows(api, province):
    """A file with an impossible date: 422 invalid_input, details.errors as [{sheet, row, column, code, message}]."""
    before = persons(api, province)
    response = post(api, workbook(province, [member(21), member(22, **{"Ngày vào Đảng": "29/02/2023"})]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and "lỗi" in error["message"]
    assert error["details"]["errors"] == [{"sheet": "Dang vien", "row": 3, "column": "H", "code": "invalid_date",
                                           "message": "Ngày «29/02/2023» không có thật."}]
    assert persons(api, province) == before


def test_a_missing_file_and_a_bad_flag_are_400(api):
    """No `file` field, or dry_run=maybe: 400 invalid_input."""
    api.fails("POST", "/imports", 400, "invalid_input", content_type="multipart/form-data", data={})
    assert post(api, b"x", dry_run="maybe").status_code == 400


def test_a_file_over_the_limit_is_413(api):
    """A 21 MB upload is refused as too large before the import reads it."""
    response = post(api, bytes(21 * 1024 * 1024))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"


def test_only_admins_and_organisation_officers_import(api, province):
    """A user without the organisation officer role gets 403 forbidden."""
    user = api.ok("POST", "/users", 201, json={"username": "thuky", "password": PASSWORD, "display_name": "Thư ký",
                                               "email": "thuky@example.vn"})
    api.ok("POST", f"/users/{user['id']}/roles", 201, json={"organisation_id": province, "role": "cell_secretary"})
    api.tokens["thuky"] = api.ok("POST", "/tokens", 201, json={"name": "tests", "user_id": user["id"]})["token"]
    response = post(api, workbook(province, [member(31)]), as_="thuky")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
