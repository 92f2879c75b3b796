"""Real small files of each kind a matter accepts, made here (Pillow, pypdf), and uploads of
them as a browser sends them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, kind)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_files(root) -> list[str]:
    """Every file stored under MEDIA_ROOT (the folders the storage made are not files)."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
