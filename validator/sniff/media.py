"""Media recognised from their first bytes: image signatures and ISO-BMFF ``ftyp`` brands."""

from __future__ import annotations

from typing import Final

from validator.sniff.types import ContentType

# Image formats whose first bytes settle the question (libmagic agrees on every one of them),
# with their answer: one shared (immutable) ContentType each, not one built per scan.
_IMAGE_SIGNATURES: Final = (
    (b"\xff\xd8\xff", ContentType("jpg", "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", ContentType("png", "image/png")),
    (b"GIF87a", ContentType("gif", "image/gif")),
    (b"GIF89a", ContentType("gif", "image/gif")),
)
_WEBP: Final = ContentType("webp", "image/webp")


def _image_signature(head: bytes) -> ContentType | None:
    for magic, found in _IMAGE_SIGNATURES:
        if head.startswith(magic):
            if found.kind == "png" and head[12:16] != b"IHDR":
                return None  # a broken PNG header: let libmagic have its say
            return found
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return None


_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS: Final = frozenset({b"mif1", b"msf1", b"mif2"})


def _sniff_ftyp(head: bytes) -> ContentType | None:
    """HEIC/HEIF and AVIF from the ISO-BMFF ``ftyp`` box (libmagic may only say octet-stream)."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    box = int.from_bytes(head[0:4], "big")
    end = min(len(head), box if 16 <= box <= 1024 else 16 + 4 * 32)
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    shown = ",".join(sorted(b.decode("latin-1") for b in brands if b.strip(b"\x00")))
    detail = f"ISO-BMFF brands {shown}"
    if major in _AVIF_BRANDS or (
        major in _HEIF_BRANDS and brands & _AVIF_BRANDS and not brands & _HEIC_BRANDS
    ):
        return ContentType("avif", "image/avif", detail)
    if major in _HEIC_BRANDS or major in _HEIF_BRANDS or brands & _HEIC_BRANDS:
        sequence = major in (b"msf1", b"hevc", b"hevx", b"hevs", b"hevm")
        if brands & _HEIC_BRANDS:
            mime = "image/heic-sequence" if sequence else "image/heic"
        else:
            mime = "image/heif-sequence" if sequence else "image/heif"
        return ContentType("heic", mime, detail)
    return None
