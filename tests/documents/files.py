"""Real files for the documents tests, built here: good ones and hostile ones."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import ExifTags, Image

GPS_LATITUDE = (51.0, 30.0, 26.5)


def pdf() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(output, format="PDF")
    return output.getvalue()


def jpeg_with_location(size: tuple[int, int] = (64, 48)) -> bytes:
    """A photo carrying EXIF: a camera make, GPS coordinates and a comment."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "PhoneCamera"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.9)
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"taken on the high street")
    return output.getvalue()


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 0, 255)).save(output, format="PNG")
    return output.getvalue()


def text() -> bytes:
    return b"The bin was left at the gate on Tuesday.\nFlat 2, 10 High Street\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def png_bomb(side: int = 20_000) -> bytes:
    """A PNG of ``side`` x ``side`` black pixels (400 megapixels) in a few hundred kilobytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_with_php_tail() -> bytes:
    return jpeg_with_location() + b"<?php system($_GET['c']); ?>"


def jpeg_with_html_comment() -> bytes:
    image = Image.new("RGB", (16, 16), "blue")
    output = io.BytesIO()
    image.save(output, format="JPEG", comment=b"<script>alert(document.cookie)</script>")
    return output.getvalue()


def zip_archive() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("payload.txt", "hello")
    return output.getvalue()


def pdf_zip_polyglot() -> bytes:
    """A PDF that is also a ZIP archive (the archive appended after the PDF's end)."""
    return pdf() + zip_archive()


def pdf_with_javascript() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"4 0 obj<</S/J#61vaScript/JS(app.alert('hi'))>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def elf() -> bytes:
    """The start of a 64-bit Linux executable (what a renamed program looks like)."""
    header = (
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1,
        0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    )  # fmt: skip
    return header + b"\x00" * 200


def windows_executable() -> bytes:
    """A DOS/PE header: "MZ", the stub, and the PE signature at the offset it names."""
    stub = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    stub[0x3C:0x40] = struct.pack("<I", 64)
    return bytes(stub) + b"PE\x00\x00" + struct.pack("<HH", 0x14C, 1) + b"\x00" * 300


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
