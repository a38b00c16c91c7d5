"""Documents of a case: checked on the way in, stored outside the web root, served only to readers.

The bytes live under `Runtime.documents_dir`, named by their SHA-256 (two
levels of folders), never under a name a user chose; the row keeps the
original file name for the download. Quality.md Security 9.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from models import Document, write_transaction
from workflows.domain.errors import InvalidInput, NotFound
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime
from workflows.read.casefile import visible_case

MAX_BYTES = 10 * 1024 * 1024

# extension -> (content type, how the file must begin)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
}


@dataclass(frozen=True)
class StoredFile:
    document: Document
    path: Path


def clean_filename(name: str) -> str:
    """The user's file name without folders or control characters (kept only for display)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return name[-200:] or "tai-lieu"


def _check(filename: str, head: bytes, size: int) -> tuple[str, str]:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED:
        raise InvalidInput(
            "Chỉ nhận tệp PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) hoặc OpenDocument (.odt, .ods).",
            "Only PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) or OpenDocument (.odt, .ods) files are accepted.",
            {"file": "type"})
    content_type, magics = ALLOWED[ext]
    if not any(head.startswith(m) for m in magics):
        raise InvalidInput("Nội dung tệp không đúng với loại tệp (đuôi tên tệp).",
                           "The file's content does not match its type (extension).", {"file": "content"})
    if size == 0:
        raise InvalidInput("Tệp rỗng.", "The file is empty.", {"file": "empty"})
    return ext, content_type


def store_document(rt: Runtime, *, actor_id: int, case_id: int, filename: str | None, stream: BinaryIO | None,
                   kind: str = "", remote_addr: str | None = None) -> Document:
    """Check and store an uploaded file for a case; the row and its audit record commit together."""
    if rt.documents_dir is None:
        raise RuntimeError("no documents_dir configured")
    visible_case(rt, actor_id=actor_id, case_id=case_id, action="document.upload", remote_addr=remote_addr,
                 write=True)
    if stream is None or not filename:
        raise InvalidInput("Hãy chọn một tệp để tải lên.", "Choose a file to upload.", {"file": "is required"})
    filename = clean_filename(filename)
    kind = (kind or "").strip()[:40]
    root = Path(rt.documents_dir)
    root.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    # Stream to a temporary file beside the store, counting bytes: nothing oversized is kept.
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(64 * 1024):
                if len(head) < 16:
                    head = (head + chunk)[:16]
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InvalidInput("Tệp lớn hơn 10 MB.", "The file is larger than 10 MB.", {"file": "size"})
                digest.update(chunk)
                out.write(chunk)
        ext, content_type = _check(filename, head, size)
        sha = digest.hexdigest()
        key = f"{sha[:2]}/{sha[2:4]}/{sha}"
        target = root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, target)
        tmp_name = None
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
    with write_transaction(rt.session_factory) as session:
        document = Document(case_id=case_id, person_id=None, kind=kind, filename=filename,
                            content_type=content_type, size=size, sha256=sha, storage_key=key,
                            uploaded_by=actor_id, uploaded_at=rt.clock.now())
        session.add(document)
        session.flush()
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="document.upload", object_type="document",
                     object_id=document.id, remote_addr=remote_addr, detail=f"case {case_id}, {size} bytes")
    return document


def open_document(rt: Runtime, *, actor_id: int, document_id: int, remote_addr: str | None = None) -> StoredFile:
    """A document for download, if its case is visible to the actor; the download is audited."""
    with rt.session_factory() as session:
        document = session.get(Document, document_id)
        if document is None or document.case_id is None:
            raise NotFound("tài liệu", document_id)
    try:
        visible_case(rt, actor_id=actor_id, case_id=document.case_id, action="document.download",
                     remote_addr=remote_addr)
    except NotFound:
        raise NotFound("tài liệu", document_id) from None
    path = Path(rt.documents_dir) / document.storage_key
    if not path.is_file():
        raise NotFound("tài liệu", document_id)
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="document.download", object_type="document",
                     object_id=document_id, remote_addr=remote_addr)
    return StoredFile(document, path)
