"""Attachments of reports, stored content-addressed on disk: a file's name is its SHA-256.

A file is written (atomically) before the fact that refers to it is recorded, so a recorded
fact never names a missing file; a file whose fact was never recorded is only an orphan, and
the same content sent twice is stored once."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from services.assessment.domain.roster import refused
from shared.errors import not_found

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
# What the Party office files: documents, spreadsheets, scans and photos. The content must
# start as its type says, so a renamed program is refused.
TYPES = {
    "application/pdf": (".pdf", (b"%PDF-",)),
    "image/png": (".png", (b"\x89PNG\r\n\x1a\n",)),
    "image/jpeg": (".jpg", (b"\xff\xd8\xff",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", (b"PK\x03\x04",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx", (b"PK\x03\x04",)),
    "text/plain": (".txt", ()),
}
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class AttachmentStore:
    def __init__(self, root: Path):
        self.root = root

    def put(self, name: str, content_type: str, content: bytes) -> dict:
        """Store a file; what a report records of it."""
        check_attachment(name, content_type, content)
        digest = hashlib.sha256(content).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as partial:
                partial.write(content)
                partial.flush()
                os.fsync(partial.fileno())
            os.replace(partial.name, path)
        return {"sha256": digest, "name": name, "content_type": content_type, "size": len(content)}

    def get(self, digest: str) -> bytes:
        path = self._path(digest) if _DIGEST.match(digest) else None
        if path is None or not path.exists():
            raise not_found("附件", "attachment", digest)
        return path.read_bytes()

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest


def check_attachment(name: str, content_type: str, content: bytes) -> None:
    if content_type not in TYPES:
        raise refused("attachments", "附件只能是 PDF、Word、Excel、图片（PNG/JPEG）或文本文件。",
                      "Attachments may be PDF, Word, Excel, PNG/JPEG images or plain text.")
    if not content or len(content) > MAX_BYTES:
        raise refused("attachments", "每个附件须非空且不超过 5 MB。", "Each attachment must be non-empty and at most 5 MB.")
    signatures = TYPES[content_type][1]
    if signatures and not content.startswith(signatures):
        raise refused("attachments", f"附件“{name}”的内容与其类型不符。",
                      f"The content of {name!r} does not match its type.")
    if content_type == "text/plain":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise refused("attachments", f"文本附件“{name}”须为 UTF-8 编码。",
                          f"The text attachment {name!r} must be UTF-8.") from None
