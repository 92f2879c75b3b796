"""Files people upload as documents (a matter's attachments): PDF, JPEG or PNG, told by what
the bytes are, never by the name or the type the browser sent. A PDF must open in pypdf and
an image in Pillow; a file that only starts like one (a renamed page, a truncated photo, a
script with a PDF header) is refused.

Limits (size, how many) belong to the caller: they differ by use.
"""

import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

__all__ = ["JPEG", "KINDS", "PDF", "PNG", "FileKind", "display_name", "document_kind"]


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str


PDF = FileKind("pdf", "application/pdf")
JPEG = FileKind("jpg", "image/jpeg")
PNG = FileKind("png", "image/png")
KINDS = {kind.content_type: kind for kind in (PDF, JPEG, PNG)}
# Phones write JPEGs with a second picture (MPO): still a JPEG to every viewer.
_IMAGE_FORMATS = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG}
# The endings a browser's name may already have for each kind.
_EXTENSIONS = {PDF: {"pdf"}, JPEG: {"jpg", "jpeg"}, PNG: {"png"}}


def _pdf(content: bytes) -> FileKind | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        # An encrypted PDF is still a PDF (its pages cannot be counted without the password).
        if reader.is_encrypted or len(reader.pages) > 0:
            return PDF
    except Exception:
        return None
    return None


def _image(content: bytes) -> FileKind | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = _IMAGE_FORMATS.get(image.format or "")
            # verify() walks the file's structure (chunks and their checksums) without
            # decoding the pixels: a decompression bomb is refused by open() above.
            image.verify()
    except Exception:
        return None
    return kind


def document_kind(content: bytes) -> FileKind | None:
    """PDF, JPEG or PNG when ``content`` parses as one; None for anything else."""
    if content.startswith(b"%PDF-"):
        return _pdf(content)
    if content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return _image(content)
    return None


def display_name(name: str, kind: FileKind, *, max_length: int = 120) -> str:
    """The name a file is shown and downloaded under: the browser's name without its folders
    or control characters, cut to ``max_length``, ending in the extension of what the file
    really is (``通知.exe`` that is a PDF downloads as ``通知.exe.pdf``)."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in _EXTENSIONS[kind]:
        name = stem
    name = name[: max_length - len(kind.extension) - 1] or _("attachment")
    return f"{name}.{kind.extension}"
