"""Does a password open a legacy .xls?  Checked against the FILEPASS record alone ([MS-XLS]
2.4.117, [MS-OFFCRYPTO] 2.3.5-2.3.7), without decrypting anything.

Used for one password: Excel's built-in default, "VelvetSweatshop".  Excel encrypts a workbook
with it when the workbook is only *protected* (structure/windows, or "read-only recommended")
and opens such files without asking, so they are not password-protected for a reviewer.

All three FILEPASS schemes are covered: XOR obfuscation (method 1 verifier), RC4 (MD5) and RC4
CryptoAPI (SHA-1).  Costs one to a few hashes; never raises.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Final

__all__ = ["DEFAULT_PASSWORD", "filepass_accepts"]

DEFAULT_PASSWORD: Final = "VelvetSweatshop"


def filepass_accepts(body: bytes, password: str) -> bool:
    """True when ``password`` verifies against the FILEPASS record ``body`` (without its header)."""
    try:
        if len(body) < 6:
            return False
        (kind,) = struct.unpack_from("<H", body, 0)
        if kind == 0:  # XOR obfuscation: key (2), verificationBytes (2)
            (verifier,) = struct.unpack_from("<H", body, 4)
            return _xor_verifier(password) == verifier
        if kind != 1:
            return False
        major, minor = struct.unpack_from("<HH", body, 2)
        if major == 1 and minor == 1:
            return _rc4_accepts(body[6:], password)
        if major in (2, 3, 4) and minor == 2:
            return _cryptoapi_accepts(body[6:], password)
        return False
    except (struct.error, ValueError, UnicodeEncodeError):
        return False


def _xor_verifier(password: str) -> int:
    """CreatePasswordVerifier_Method1 ([MS-OFFCRYPTO] 2.3.7.1)."""
    data = password.encode("latin-1")[:15]
    verifier = 0
    for byte in reversed(bytes([len(data)]) + data):
        verifier = (((verifier >> 14) & 1) | ((verifier << 1) & 0x7FFF)) ^ byte
    return verifier ^ 0xCE4B


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) & 0xFF])
    return bytes(out)


def _rc4_accepts(rest: bytes, password: str) -> bool:
    """RC4 encryption ([MS-OFFCRYPTO] 2.3.6): salt (16), encrypted verifier (16) and its MD5 (16)."""
    if len(rest) < 48:
        return False
    salt, blob = rest[:16], rest[16:48]
    h0 = hashlib.md5(password.encode("utf-16-le"), usedforsecurity=False).digest()[:5]
    h1 = hashlib.md5((h0 + salt) * 16, usedforsecurity=False).digest()[:5]
    key = hashlib.md5(h1 + struct.pack("<I", 0), usedforsecurity=False).digest()
    plain = _rc4(key, blob)
    return hashlib.md5(plain[:16], usedforsecurity=False).digest() == plain[16:32]


def _cryptoapi_accepts(rest: bytes, password: str) -> bool:
    """RC4 CryptoAPI ([MS-OFFCRYPTO] 2.3.5.2): EncryptionHeader, then the EncryptionVerifier."""
    _flags, header_size = struct.unpack_from("<II", rest, 0)
    header = rest[8 : 8 + header_size]
    if len(header) < 20:
        return False
    (key_bits,) = struct.unpack_from("<I", header, 16)  # Flags, SizeExtra, AlgID, AlgIDHash, KeySize
    v = rest[8 + header_size :]
    (salt_size,) = struct.unpack_from("<I", v, 0)
    if salt_size != 16 or len(v) < 4 + 16 + 16 + 4 + 20:
        return False
    salt = v[4:20]
    encrypted_verifier = v[20:36]
    (hash_size,) = struct.unpack_from("<I", v, 36)
    encrypted_hash = v[40 : 40 + max(hash_size, 20)]
    h0 = hashlib.sha1(salt + password.encode("utf-16-le"), usedforsecurity=False).digest()
    hfinal = hashlib.sha1(h0 + struct.pack("<I", 0), usedforsecurity=False).digest()
    key_bits = key_bits or 40
    key = hfinal[:5] + b"\x00" * 11 if key_bits == 40 else hfinal[: key_bits // 8]
    plain = _rc4(key, encrypted_verifier + encrypted_hash)
    return hashlib.sha1(plain[:16], usedforsecurity=False).digest() == plain[16:36]
