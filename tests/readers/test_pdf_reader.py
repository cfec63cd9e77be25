"""validator.readers.pdf (PDFium first, pypdf as the second opinion) and the bounds of
validator.readers.bounded that the pypdf path relies on.  Verdicts against poppler over the
real-world corpus: test_pdf_vs_poppler.py."""

from __future__ import annotations

import io
import logging
import signal
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.errors import DependencyError

from tests.conftest import CORPUS, needs_alarm
from validator.readers import pdf_pdfium, pdf_pypdf
from validator.readers.bounded import REPEAT, ParseLimit, limits, supported
from validator.readers.pdf import ERROR_KEYS, PdfFacts, pdf_facts, read_pdf

try:
    import cryptography  # noqa: F401

    HAS_AES = True
except ImportError:  # pypdf then has RC4 only
    HAS_AES = False


def _pdf(pages: int, *, user: str | None = None, owner: str | None = None, algorithm: str = "RC4-128") -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    if user is not None or owner is not None:
        w.encrypt(user_password=user or "", owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture
def pypdf_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without pypdfium2: pypdf alone decides."""
    monkeypatch.setattr(pdf_pdfium, "available", lambda: False)


@pytest.fixture(params=["pdfium", "pypdf"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "pypdf":
        monkeypatch.setattr(pdf_pdfium, "available", lambda: False)
    return str(request.param)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_plain_pdf(tmp_path: Path, engine: str) -> None:
    f = pdf_facts(_write(tmp_path, "营业执照.pdf", _pdf(3)))
    assert f == PdfFacts(pages=3, encrypted=False, needs_password=False, error=None, detail="", version=f.version)
    assert f.version is not None and f.version.startswith(("1.", "2."))


def test_facts_and_text_from_one_call(tmp_path: Path, engine: str) -> None:
    from fixtures import makers as m

    p = m.make_pdf(tmp_path / "a.pdf", 3, ["第一页 北京示例科技有限公司", "第二页", "第三页"])
    f = read_pdf(p, text_pages=2)
    assert (f.error, f.pages, len(f.texts)) == (None, 3, 2)
    assert "北京示例科技有限公司" in f.texts[0] and "第二页" in f.texts[1]
    assert read_pdf(p).texts == ()
    assert read_pdf(p.read_bytes(), text_pages=9).texts[2].strip() == "第三页"  # bytes in, as many as exist


def test_pdfium_path_does_not_import_pypdf(tmp_path: Path) -> None:
    """pypdf (+ cryptography, ~90 ms) loads only for a second opinion."""
    import subprocess
    import sys

    p = _write(tmp_path, "a.pdf", _pdf(2, owner="owner"))  # encrypted (RC4), opens without a password
    code = (
        "import sys; from validator.readers.pdf import read_pdf; "
        f"f = read_pdf({str(p)!r}, text_pages=1); "
        "print(f.pages, f.encrypted, [m for m in ('pypdf', 'cryptography', 'pypdfium2') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "True", "[]"]


def test_zero_pages(tmp_path: Path, engine: str) -> None:
    f = pdf_facts(_write(tmp_path, "empty.pdf", _pdf(0)))
    assert (f.pages, f.error) == (0, "no_pages")


@pytest.mark.parametrize(
    "algorithm",
    [
        "RC4-40",
        "RC4-128",
        pytest.param("AES-256", marks=pytest.mark.skipif(not HAS_AES, reason="no cryptography")),
    ],
)
def test_user_password(tmp_path: Path, algorithm: str, engine: str) -> None:
    f = pdf_facts(_write(tmp_path, "locked.pdf", _pdf(2, user="secret", owner="owner", algorithm=algorithm)))
    assert (f.pages, f.encrypted, f.needs_password, f.error) == (None, True, True, "password")


@pytest.mark.parametrize(
    "algorithm",
    ["RC4-128", pytest.param("AES-128", marks=pytest.mark.skipif(not HAS_AES, reason="no cryptography"))],
)
def test_owner_password_only_opens(tmp_path: Path, algorithm: str, engine: str) -> None:
    """Restrictions-only encryption (no printing/copying): readable with the empty password."""
    f = pdf_facts(_write(tmp_path, "restricted.pdf", _pdf(4, owner="owner", algorithm=algorithm)))
    assert (f.pages, f.encrypted, f.needs_password, f.error) == (4, True, False, None)


@pytest.mark.skipif(not HAS_AES, reason="no cryptography")
@pytest.mark.parametrize("name", ["r5-user-password.pdf", "r6-user-password.pdf"])
def test_user_password_with_empty_owner_password_still_asks(name: str, engine: str) -> None:
    """pypdf opens these with "" (as *owner*); Acrobat, pdfium and pdf.js ask for the password.
    (pypdf's writer cannot make one: it replaces an empty owner password by the user password.)"""
    src = CORPUS / "pypdf" / name
    if not src.exists():
        pytest.skip("corpus not available")
    f = pdf_facts(src)
    assert (f.encrypted, f.needs_password, f.error) == (True, True, "password")
    assert f.pages == (1 if engine == "pypdf" else None)  # pypdf counts them all the same


def test_aes_without_cryptography_is_unsupported_not_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pypdf_only: None
) -> None:
    def no_aes(*args: object, **kwargs: object) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pdf_pypdf, "PdfReader", no_aes)
    f = pdf_facts(_write(tmp_path, "aes.pdf", _pdf(1)))
    assert (f.encrypted, f.needs_password, f.error) == (True, False, "unsupported")
    assert "cryptography" in f.detail


def test_truncated(tmp_path: Path, engine: str) -> None:
    data = _pdf(2)
    f = pdf_facts(_write(tmp_path, "cut.pdf", data[:60]))
    assert f.error == "damaged" and f.pages is None
    assert f.detail and len(f.detail) <= 200
    # cut in the middle: either recovered by pypdf's lenient scan or damaged, never an exception
    g = pdf_facts(_write(tmp_path, "half.pdf", data[: len(data) // 2]))
    assert g.error in (None, "damaged")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<!DOCTYPE html><html><head><title>\xe7\x99\xbb\xe5\xbd\x95</title></head></html>",
        b"PK\x03\x04zip",
    ],
)
def test_not_pdf(tmp_path: Path, content: bytes) -> None:
    f = pdf_facts(_write(tmp_path, "扫描件.pdf", content))
    assert (f.pages, f.error, f.version) == (None, "not_pdf", None)


def test_header_after_junk_is_accepted(tmp_path: Path) -> None:
    f = pdf_facts(_write(tmp_path, "junk.pdf", b"\r\n" * 100 + _pdf(1)))
    assert f.error is None and f.pages == 1


def test_too_large(tmp_path: Path) -> None:
    f = pdf_facts(_write(tmp_path, "big.pdf", _pdf(1)), max_mb=0)
    assert f.error == "too_large"


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    f = pdf_facts(tmp_path / "nope.pdf")
    assert f.error == "damaged" and "FileNotFoundError" in f.detail


@needs_alarm
def test_timeout_in_python_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pypdf_only: None) -> None:
    def spin(*args: object, **kwargs: object) -> None:
        try:  # swallows the first interruption, as lenient parsers do
            while True:
                pass
        except Exception:
            pass
        while True:
            pass

    monkeypatch.setattr(pdf_pypdf, "PdfReader", spin)
    t0 = time.perf_counter()
    f = pdf_facts(_write(tmp_path, "slow.pdf", _pdf(1)), timeout=0.2)
    assert f.error == "timeout"
    assert time.perf_counter() - t0 < 0.2 + 5 * REPEAT
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pypdf_only: None) -> None:
    if not supported()["memory"]:
        pytest.skip("no RLIMIT_AS here")

    def hog(*args: object, **kwargs: object) -> None:
        blobs = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB
        raise AssertionError(len(blobs))

    monkeypatch.setattr(pdf_pypdf, "PdfReader", hog)
    f = pdf_facts(_write(tmp_path, "hog.pdf", _pdf(1)), memory_mb=200)
    assert f.error == "memory"
    assert len(bytearray(300 * 1024 * 1024)) > 0  # the limit is gone again


def test_pypdf_logger_and_warnings_stay_quiet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, pypdf_only: None
) -> None:
    data = _pdf(1)
    broken = data.replace(b"startxref", b"startxrex")  # forces pypdf's noisy recovery path
    logger = logging.getLogger("pypdf")
    before = logger.level
    with caplog.at_level(logging.DEBUG):
        pdf_facts(_write(tmp_path, "noisy.pdf", broken))
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert logger.level == before


# --------------------------------------------------------------------------------------------
# bounded.limits


@needs_alarm
def test_limits_restore_and_nest() -> None:
    handler = signal.getsignal(signal.SIGALRM)
    with limits(5, None):
        with limits(0.1, None), pytest.raises(ParseLimit) as ei:
            while True:
                pass
        assert ei.value.kind == "time"
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 4 < remaining <= 5  # the outer timer is back, with the time it had left
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == handler


@needs_alarm
def test_outer_deadline_wins_over_longer_inner() -> None:
    t0 = time.perf_counter()
    with pytest.raises(ParseLimit), limits(0.1, None):
        try:
            with limits(10, None):
                while True:
                    pass
        except ParseLimit:
            pass  # inner code that swallows: the outer alarm repeats and still gets out
        while True:
            pass
    assert time.perf_counter() - t0 < 0.1 + 5 * REPEAT
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_memory_limit_nests_and_restores() -> None:
    if not supported()["memory"]:
        pytest.skip("no RLIMIT_AS here")
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with limits(0, 2048):
        outer = resource.getrlimit(resource.RLIMIT_AS)
        with limits(0, 100):
            assert resource.getrlimit(resource.RLIMIT_AS)[0] < outer[0]
            with pytest.raises(ParseLimit) as ei, limits(0, 4096):  # never loosens
                bytearray(1024 * 1024 * 1024)
            assert ei.value.kind == "memory"
        assert resource.getrlimit(resource.RLIMIT_AS) == outer
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_limits_is_a_no_op_in_a_worker_thread() -> None:
    seen: dict[str, object] = {}

    def work() -> None:
        seen["supported"] = supported()
        with limits(0.01, 10):
            time.sleep(0.05)
            seen["alloc"] = len(bytearray(50 * 1024 * 1024))
        seen["facts"] = pdf_facts(CORPUS / "qpdf" / "empty.pdf") if CORPUS.is_dir() else None

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen["supported"] == {"time": False, "memory": False}
    assert seen["alloc"] == 50 * 1024 * 1024


def test_limits_overhead_is_small() -> None:
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        with limits(10, 1024):
            pass
    per_call = (time.perf_counter() - t0) / n
    assert per_call < 200e-6, per_call  # ~10-25 us measured; once per file


# --------------------------------------------------------------------------------------------
# the real corpus


def _corpus_pdfs() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".pdf", ".fuzz"))


@pytest.mark.slow
def test_every_corpus_pdf_gets_facts_within_its_timeout() -> None:
    files = _corpus_pdfs()
    if not files:
        pytest.skip("corpus not available")
    timeout = 10.0
    facts = {}
    for path in files:
        t0 = time.perf_counter()
        f = pdf_facts(path, timeout=timeout)
        elapsed = time.perf_counter() - t0
        rel = str(path.relative_to(CORPUS))
        print(f"{elapsed * 1000:8.1f} ms  {rel:60s} {f}")
        assert elapsed < timeout + 1.0, rel
        assert f.error is None or f.error in ERROR_KEYS
        assert len(f.detail) <= 200
        assert f.error is not None or f.pages is not None, rel
        facts[rel] = f
    assert len(facts) > 100

    def get(name: str) -> PdfFacts:
        return facts[name]

    assert get("pdf-sample-files/GeoTopo-komprimiert.pdf").pages == 117
    assert get("qpdf/empty.pdf").pages == 0
    assert get("pdf-sample-files/libreoffice-writer-password.pdf").error == "password"
    assert get("pypdf/r2-user-password.pdf").needs_password  # RC4: no extra package needed
    assert (get("pypdf/r2-owner-password.pdf").pages, get("pypdf/r2-owner-password.pdf").needs_password) == (
        1,
        False,
    )
    assert get("qpdf/bad1.pdf").error == "not_pdf"
    assert get("qpdf/70245.fuzz").error == "not_pdf"  # 0 bytes
    assert get("qpdf/bad11.pdf").pages == 1  # pypdf raises TypeError there; PDFium (and poppler) repair it
    assert (get("qpdf/bad2.pdf").pages, get("qpdf/bad2.pdf").repaired) == (1, True)  # no startxref: rebuilt
    assert get("qpdf/bad11.pdf").repaired is False  # its startxref is right; a later trailer is broken
    assert get("qpdf/issue-120.pdf").error in ("no_pages", "damaged")
    assert get("qpdf/append-xref-loop.pdf").pages == 30
    if HAS_AES:
        assert get("pypdf/r6-owner-password.pdf").pages == 1
        assert get("pypdf/r6-both-passwords.pdf").error == "password"
        assert get("pypdf/r5-user-password.pdf").needs_password  # "" is only the owner password
        enc_xi = get("qpdf/enc-XI-R6,V5,U=attachment,encrypted-attachments.pdf")
        assert (enc_xi.pages, enc_xi.needs_password) == (30, False)  # only attachments encrypted
    else:
        assert get("pypdf/r6-owner-password.pdf").error == "unsupported"


def test_result_crosses_a_process_boundary(tmp_path: Path) -> None:
    """read_pdf runs in the killable worker process: a module-level function, a picklable result."""
    import pickle

    from fixtures import makers as m

    p = m.make_pdf(tmp_path / "a.pdf", 2, ["第一页", "第二页"])
    f = read_pdf(p, text_pages=1)
    assert pickle.loads(pickle.dumps(f)) == f
    assert pickle.loads(pickle.dumps(read_pdf)) is read_pdf
