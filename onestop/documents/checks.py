"""What an upload must pass before anything is stored: the checks, in order, with no writes.

1. Size: not empty, not over ``ONESTOP_DOCUMENT_MAX_BYTES``.
2. Name: no path (``/``, ``\\``, ``..``) and none of the characters ``core.text`` refuses.
3. Type, by content (libmagic, never the name): PDF, JPEG, PNG or plain UTF-8 text.  Archives
   and executables get their own message; anything else is "not a type we take".
4. Hidden content: no ZIP directory anywhere in the file (a PDF/ZIP or JPEG/ZIP polyglot), no
   markup or script a browser or interpreter would run (``<script``, ``<?php``, ``<html`` …),
   no data after a PNG's last chunk or a JPEG's end marker, no JavaScript, launch actions or
   embedded files in a PDF's dictionaries.
5. Images: at most ``ONESTOP_IMAGE_MAX_PIXELS`` pixels (decompression bombs), decoded by
   Pillow and re-encoded, turned upright, without EXIF (location, camera), comments or text
   chunks: only the pixels are kept.
6. Viruses: when ``ONESTOP_CLAMD_SOCKET`` is set, clamd scans the bytes as sent (``scan``).

HEIC is refused: this installation's Pillow cannot decode it.  Word and OpenDocument files are
ZIP archives that can carry macros and other archives; they are refused rather than trusted on a
partial check (ask for a PDF).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from onestop.core.text import has_control_characters, visible
from onestop.documents import scan
from onestop.documents.errors import DocumentError, DocumentRefused

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TEXT = "text/plain"
# Each allowed type and the name endings it may keep (the first is given to any other name).
ALLOWED = {PDF: ("pdf",), JPEG: ("jpg", "jpeg"), PNG: ("png",), TEXT: ("txt", "text")}
ARCHIVES = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/x-tar",
        "application/zstd",
        "application/x-lzma",
        "application/java-archive",
        "application/vnd.ms-cab-compressed",
        "application/x-iso9660-image",
    }
)
EXECUTABLES = frozenset(
    {
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-dosexec",
        "application/x-mach-binary",
        "application/x-msdownload",
        "application/vnd.microsoft.portable-executable",
        "application/x-elf",
        "application/x-shellscript",
        "text/x-shellscript",
        "application/x-msi",
    }
)
# What a browser or a PHP interpreter would act on, wherever it sits in the file (a comment in a
# JPEG, a PDF's tail).  Each pattern is five bytes or more: random compressed data holds one by
# chance in roughly one 10 MB file in a thousand, which is then refused (the sender can send it
# as another type).
ACTIVE_MARKUP = re.compile(
    rb"<\?php|<script|<html|<!doctype|<svg[\s>/]|<iframe|<object|<embed|<body[\s>]|<meta[\s]",
    re.IGNORECASE,
)
# PDF dictionary names that run code, open other files or carry files inside.
PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|GoToE|ImportData|SubmitForm)\b"
)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PNG_END = b"IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
NAME_LIMIT = 255


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: what will be stored, and as what."""

    name: str
    content_type: str
    data: bytes
    sha256: str
    original_type: str


def _refuse(code: DocumentError, message: str, field: str) -> DocumentRefused:
    return DocumentRefused(code, message, field=field)


def megabytes(size: int) -> str:
    """A size as people write it: "10 MB", "2.5 MB", "500 KB", "20 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def clean_name(raw: str, *, field: str = "file") -> str:
    """The file name as staff will see it, or a refusal for a path or a disguised name."""
    name = raw or ""
    if "/" in name or "\\" in name or ".." in name:
        raise _refuse(
            DocumentError.BAD_NAME,
            _("The name of the selected file must not contain a folder path: rename the file"),
            field,
        )
    if has_control_characters(name):
        raise _refuse(
            DocumentError.BAD_NAME,
            _("The name of the selected file contains special characters: rename the file"),
            field,
        )
    name = visible(name)
    if not name or name.startswith("."):
        raise _refuse(
            DocumentError.BAD_NAME, _("The selected file must have a name: rename the file"), field
        )
    if len(name) > NAME_LIMIT:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:10] if dot else ""
        name = (stem or name)[: NAME_LIMIT - len(extension) - 1] + (f".{extension}" if dot else "")
    return name


#: What a picture-only field (a resident's photo) takes.
PICTURES = frozenset({JPEG, PNG})


def _type_of(data: bytes, field: str, *, pictures_only: bool = False) -> str:
    """The file's type by content, or a refusal naming what the field takes: any allowed type,
    or (``pictures_only``) a JPG or PNG picture."""
    detected = str(magic.from_buffer(data, mime=True)).lower()
    if (
        detected in ARCHIVES
        or detected.startswith("application/vnd.openxmlformats")
        or (detected.startswith("application/vnd.oasis.opendocument"))
    ):
        raise _refuse(
            DocumentError.ARCHIVE,
            _(
                "The selected file is an archive or a Word or OpenDocument file: send a JPG or "
                "PNG picture instead"
            )
            if pictures_only
            else _(
                "The selected file is an archive or a Word or OpenDocument file: send a PDF, JPG, "
                "PNG or TXT file instead"
            ),
            field,
        )
    if detected in EXECUTABLES:
        raise _refuse(
            DocumentError.EXECUTABLE,
            _("The selected file is a program, which cannot be attached: send a JPG or PNG picture")
            if pictures_only
            else _(
                "The selected file is a program, which cannot be attached: send a PDF, JPG, PNG or "
                "TXT file"
            ),
            field,
        )
    if pictures_only and detected not in PICTURES:
        raise _refuse(
            DocumentError.TYPE_NOT_ALLOWED,
            _("The selected file must be a JPG or PNG picture"),
            field,
        )
    if detected not in ALLOWED:
        raise _refuse(
            DocumentError.TYPE_NOT_ALLOWED,
            _("The selected file must be a PDF, JPG, PNG or TXT file"),
            field,
        )
    return detected


def _hidden_content(field: str) -> DocumentRefused:
    return _refuse(
        DocumentError.HIDDEN_CONTENT,
        _(
            "The selected file contains something other than its document or picture (such as "
            "code or another file) and cannot be attached"
        ),
        field,
    )


def _check_hidden_content(data: bytes, detected: str, field: str) -> None:
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise _hidden_content(field)
    if ACTIVE_MARKUP.search(data):
        raise _hidden_content(field)
    if detected == PDF:
        unescaped = PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), data)
        if PDF_ACTIVE.search(unescaped):
            raise _hidden_content(field)
    if detected == PNG and not data.rstrip(b"\x00").endswith(PNG_END):
        raise _hidden_content(field)
    if detected == JPEG and not data.rstrip(b"\x00\r\n").endswith(JPEG_END):
        raise _hidden_content(field)


def _damaged(field: str) -> DocumentRefused:
    return _refuse(
        DocumentError.DAMAGED, _("The selected file could not be read: it may be damaged"), field
    )


def _re_encode(data: bytes, detected: str, field: str) -> bytes:
    """The picture's pixels, upright, in a fresh file with no metadata at all."""
    limit = settings.ONESTOP_IMAGE_MAX_PIXELS
    too_large = _refuse(
        DocumentError.IMAGE_TOO_LARGE,
        _("The selected picture is too large: it must be %(limit)s million pixels or fewer")
        % {"limit": f"{limit / 1_000_000:g}"},
        field,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
                width, height = image.size
                if width * height > limit or width <= 0 or height <= 0:
                    raise too_large
                if getattr(image, "n_frames", 1) > 1:
                    raise _hidden_content(field)
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _damaged(field) from None
    # Nothing of the original's metadata goes with the pixels (Pillow would otherwise write its
    # comment, colour profile and text back), but a palette picture's transparent colour.
    upright.info = {key: value for key, value in upright.info.items() if key == "transparency"}
    output = io.BytesIO()
    if detected == JPEG:
        if upright.mode not in {"RGB", "L"}:
            upright = upright.convert("RGB")
        upright.save(output, format="JPEG", quality=90, optimize=True)
    else:
        if upright.mode not in {"RGB", "RGBA", "L", "LA", "P", "1"}:
            upright = upright.convert("RGBA")
        upright.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _check_text(data: bytes, field: str) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(
            DocumentError.TYPE_NOT_ALLOWED,
            _("The selected text file must be saved as UTF-8"),
            field,
        ) from None
    if has_control_characters(text.removeprefix("\ufeff")) or text.startswith("#!"):
        raise _hidden_content(field)


def _check_pdf(data: bytes, field: str) -> None:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise _damaged(field)


def _named_as(name: str, detected: str) -> str:
    """``name`` ending as its type does (``scan.pdf`` sent as a JPEG is kept as ``scan.jpg``)."""
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in ALLOWED[detected]:
        return name
    kept = stem if dot and stem else name
    ending = ALLOWED[detected][0]
    return f"{kept[: NAME_LIMIT - len(ending) - 1]}.{ending}"


def check_upload(
    data: bytes, name: str, *, field: str = "file", pictures_only: bool = False
) -> CheckedFile:
    """Every check above, in order; the first that fails raises ``DocumentRefused``.
    ``pictures_only``: the field takes a JPG or PNG picture only (a resident's photo), and its
    refusals say so."""
    limit = settings.ONESTOP_DOCUMENT_MAX_BYTES
    if not data:
        raise _refuse(DocumentError.EMPTY, _("The selected file is empty"), field)
    if len(data) > limit:
        raise _refuse(
            DocumentError.TOO_BIG,
            _("The selected file must be smaller than %(size)s") % {"size": megabytes(limit)},
            field,
        )
    cleaned_name = clean_name(name, field=field)
    detected = _type_of(data, field, pictures_only=pictures_only)
    _check_hidden_content(data, detected, field)
    stored = data
    if detected in {JPEG, PNG}:
        stored = _re_encode(data, detected, field)
    elif detected == PDF:
        _check_pdf(data, field)
    else:
        _check_text(data, field)
    scan.scan(data, field=field)
    return CheckedFile(
        name=_named_as(cleaned_name, detected),
        content_type=f"{TEXT}; charset=utf-8" if detected == TEXT else detected,
        data=stored,
        sha256=hashlib.sha256(stored).hexdigest(),
        original_type=detected,
    )
