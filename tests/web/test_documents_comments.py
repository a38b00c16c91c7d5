"""Documents (checked, stored outside the web root, downloaded only by those allowed) and comments."""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from models import AuditRecord, Comment, Document
from tests.web.support import PDF, admission_case, sign_in, upload


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _token(client, case_id):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _upload(client, case_id, name, content, kind="2-KNĐ"):
    return client.post(f"/cases/{case_id}/documents", content_type="multipart/form-data", data={
        "csrf_token": _token(client, case_id), "kind": kind, "file": (io.BytesIO(content), name)})


def test_upload_is_stored_outside_the_web_root_by_its_hash(app, runtime, world):
    """A PDF is accepted, stored under documents_dir by its SHA-256, listed on the case page."""
    case = admission_case(runtime, world, "cell1")
    client = _client(app, "secretary1")
    response = _upload(client, case.id, "lý lịch 2-KNĐ.pdf", PDF)
    assert response.status_code == 302
    with runtime.session_factory() as s:
        doc = s.scalars(select(Document)).one()
    stored = Path(app.extensions["quytrinh"].documents_dir) / doc.storage_key
    assert stored.read_bytes() == PDF and doc.storage_key.endswith(doc.sha256)
    assert doc.filename == "lý lịch 2-KNĐ.pdf" and doc.content_type == "application/pdf"
    assert "lý lịch 2-KNĐ.pdf" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_wrong_type_or_disguised_content_is_refused(app, runtime, world):
    """An .exe, and a text file named .pdf, are refused with a clear message; nothing stored."""
    case = admission_case(runtime, world, "cell1")
    client = _client(app, "secretary1")
    exe = _upload(client, case.id, "virus.exe", b"MZ\x90\x00")
    assert exe.status_code == 400 and "Chỉ nhận tệp PDF" in exe.get_data(as_text=True)
    fake = _upload(client, case.id, "fake.pdf", b"<html><script>alert(1)</script>")
    assert fake.status_code == 400 and "không đúng với loại tệp" in fake.get_data(as_text=True)
    with runtime.session_factory() as s:
        assert s.scalars(select(Document)).all() == []


def test_oversized_upload_is_refused(app, runtime, world):
    """A file over 10 MB is refused and not kept (the app's 20 MB request limit answers 413 beyond that)."""
    case = admission_case(runtime, world, "cell1")
    client = _client(app, "secretary1")
    response = _upload(client, case.id, "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 400 and "lớn hơn 10 MB" in response.get_data(as_text=True)
    leftovers = [p for p in Path(app.extensions["quytrinh"].documents_dir).rglob("*") if p.is_file()]
    assert leftovers == []


def test_download_as_attachment_for_readers_only(app, runtime, world):
    """Readers of the case download the file as an attachment (audited); a foreign secretary gets 404."""
    case = admission_case(runtime, world, "cell1")
    doc = upload(runtime, world, case.id, "secretary1")
    response = _client(app, "inspector").get(f"/cases/documents/{doc.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert _client(app, "secretary3").get(f"/cases/documents/{doc.id}").status_code == 404
    with runtime.session_factory() as s:
        outcomes = sorted(r.outcome for r in s.scalars(select(AuditRecord).where(AuditRecord.action == "document.download")))
    assert outcomes == ["denied", "ok"]


def test_inspector_cannot_upload_or_comment(app, runtime, world):
    """The read-only inspector may not add documents or comments (403)."""
    case = admission_case(runtime, world, "cell1")
    client = _client(app, "inspector")
    assert _upload(client, case.id, "a.pdf", PDF).status_code == 403
    token = _token(client, case.id)
    assert client.post(f"/cases/{case.id}/comments", data={"csrf_token": token, "body": "x"}).status_code == 403


def test_comments_are_posted_and_shown(app, runtime, world):
    """A comment appears on the case page with its author; an empty one is refused."""
    case = admission_case(runtime, world, "cell1")
    client = _client(app, "committee")
    empty = client.post(f"/cases/{case.id}/comments", data={"csrf_token": _token(client, case.id), "body": "  "})
    assert empty.status_code == 400 and "không được để trống" in empty.get_data(as_text=True)
    done = client.post(f"/cases/{case.id}/comments", data={"csrf_token": _token(client, case.id),
                                                           "body": "Đề nghị bổ sung giấy khám sức khỏe."})
    assert done.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Đề nghị bổ sung giấy khám sức khỏe." in page
    with runtime.session_factory() as s:
        assert s.scalars(select(Comment.author_id)).one() == world.users["committee"]
