"""The sniffer's fast paths judge as the slow ones would: a container read through the caller's
descriptor, the usual-main-part decision remembered by the [Content_Types].xml bytes, and a
folder walk whose order needs no re-sort."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from validator.discovery import Ignore, walk
from validator.facts import read_facts
from validator.packsource import _sorted
from validator.sniff import HEAD_SIZE, sniff
from validator.sniff import zip as sniff_zip

SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroenabled.main+xml"
DOC_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def package(overrides: dict[str, str], parts: list[str], padding: int = 0) -> bytes:
    """An OPC zip: [Content_Types].xml with these overrides, these parts, and a stored member of
    ``padding`` random bytes (to put the directory beyond the head)."""
    types = "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        date = (2024, 1, 1, 0, 0, 0)
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", date), f"<Types>{types}</Types>")
        for part in parts:
            zf.writestr(zipfile.ZipInfo(part, date), "<x/>")
        if padding:
            zf.writestr(zipfile.ZipInfo("media/blob.bin", date), os.urandom(padding), compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def sniff_path(path: Path) -> object:
    data = path.read_bytes()
    return sniff(path, data[:HEAD_SIZE], len(data))


def test_a_container_is_read_through_the_callers_descriptor(tmp_path: Path) -> None:
    # The file the caller opened is judged, even when another now lies at its path.
    xlsx = package({"xl/workbook.xml": SHEET_MAIN}, ["xl/workbook.xml"], padding=3 * HEAD_SIZE)
    docx = package({"word/document.xml": DOC_MAIN}, ["word/document.xml"], padding=5 * HEAD_SIZE)
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx)
    fd = os.open(path, os.O_RDONLY)
    try:
        head = os.read(fd, HEAD_SIZE)
        (tmp_path / "b.docx").write_bytes(docx)
        os.replace(tmp_path / "b.docx", path)
        through_fd = sniff(path, head, len(xlsx), fd)
        reopened = sniff(path, head, len(xlsx))
    finally:
        os.close(fd)
    assert through_fd.kind == "xlsx" and not through_fd.damaged
    assert reopened.kind != "xlsx" or reopened.damaged  # the path now holds the docx


def test_read_facts_sniffs_a_large_package(tmp_path: Path) -> None:
    from validator.discovery import Entry

    path = tmp_path / "a.xlsx"
    path.write_bytes(package({"xl/workbook.xml": SHEET_MAIN}, ["xl/workbook.xml"], padding=4 * HEAD_SIZE))
    facts = read_facts(Entry("a.xlsx", str(path), "file", path.stat().st_size))
    assert facts.content == sniff_path(path)
    assert facts.content.kind == "xlsx" and len(facts.head) == HEAD_SIZE


def test_remembered_decisions_follow_the_parts_present(tmp_path: Path) -> None:
    # Byte-identical [Content_Types].xml, different parts: each package keeps its own kind.
    overrides = {"xl/workbook.xml": MACRO_MAIN}
    with_main = tmp_path / "a.xlsm"
    with_main.write_bytes(package(overrides, ["xl/workbook.xml"]))
    without_main = tmp_path / "b.xlsm"
    without_main.write_bytes(package(overrides, ["xl/other.xml"]))
    sniff_zip._DECIDED.clear()
    first = [sniff_path(with_main), sniff_path(without_main)]
    again = [sniff_path(with_main), sniff_path(without_main)]  # now from what was remembered
    assert first == again
    assert first[0].kind == "xlsm"
    assert first[1].kind == "ooxml"  # declares a main part that is missing


def test_remembered_decisions_stay_bounded_and_right(tmp_path: Path) -> None:
    sniff_zip._DECIDED.clear()
    for i in range(sniff_zip._DECIDED_MAX + 20):
        main = MACRO_MAIN if i % 2 else SHEET_MAIN
        path = tmp_path / f"{i}.xlsx"
        path.write_bytes(package({"xl/workbook.xml": main, f"xl/sheet{i}.xml": "application/xml"}, ["xl/workbook.xml"]))
        assert sniff_path(path).kind == ("xlsm" if i % 2 else "xlsx")
        assert len(sniff_zip._DECIDED) <= sniff_zip._DECIDED_MAX


def test_walk_order_is_the_sorted_order(tmp_path: Path) -> None:
    # list_package keeps the walk's order when no zip is opened: it must be _sorted's.
    for rel in ["a/x.pdf", "a.txt", "a b.pdf", "a-b/y.pdf", "a!.pdf", "B.pdf", "b/c/d.pdf", "b.pdf", "营业执照.pdf",
                "a/b c/z.pdf", "ab/q.pdf"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4\n")
    entries = list(walk(str(tmp_path), Ignore([])))
    assert len(entries) == 11
    assert entries == _sorted(entries)


def test_a_walked_file_is_the_entry_the_dataclass_builds(tmp_path: Path) -> None:
    # The walk builds plain files' entries without Entry.__init__: a new field or a
    # __post_init__ on Entry must show up here.
    from validator.discovery import Entry

    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    [walked] = walk(str(tmp_path), Ignore([]))
    st = path.stat()
    built = Entry("a.pdf", str(path), "file", st.st_size, st.st_mtime_ns)
    assert walked == built and hash(walked) == hash(built)
    assert vars(walked) == vars(built)


def test_container_and_text_sniffers_load_only_for_the_files_that_need_them(tmp_path: Path) -> None:
    """Sniffing a PDF or a JPEG (the hook's one edited file) loads none of ole, zip, text and
    legacy; the first zip, OLE2 or text file loads its own, and the answers are the usual ones."""
    import subprocess
    import sys

    from fixtures import makers as mk

    pdf = mk.make_pdf(tmp_path / "a.pdf", 1, "营业执照")
    jpg = mk.make_jpeg(tmp_path / "b.jpg", 32, 32, seed=1)
    xlsx = mk.make_xlsx(tmp_path / "c.xlsx", {"Sheet1": [["序号"], [1]]})
    txt = tmp_path / "d.txt"
    txt.write_text("说明\n", encoding="utf-8")
    ole = tmp_path / "e.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    probe = (
        "import sys; from validator.facts import read_facts; from validator.discovery import Entry\n"
        "lazy = ('validator.sniff.ole', 'validator.sniff.zip', 'validator.sniff.text', 'validator.sniff.legacy')\n"
        "for p in sys.argv[1:]:\n"
        "    kind = read_facts(Entry(p, p, 'file', 0)).content.kind\n"
        "    print(kind, *[m.rsplit('.', 1)[1] for m in lazy if m in sys.modules])\n"
    )
    files = [str(p) for p in (pdf, jpg, xlsx, txt, ole)]
    out = subprocess.run([sys.executable, "-c", probe, *files], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["pdf", "jpg", "xlsx zip", "txt zip text legacy", "ole ole zip text legacy"]
