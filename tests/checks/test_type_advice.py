"""Fix advice that fits the file's situation (issue 11, item 3), on real generated files:
a valid file under the wrong extension is renamed, a zip of allowed files is unzipped, an
image named .pdf is one defect, and no message shows a MIME type."""

from __future__ import annotations

import re
from pathlib import Path

from fixtures import makers as mk
from tests.packs import build_pack
from validator.api import check_folder
from validator.messages import fix, message
from validator.model import Defect
from validator.spec import load_spec

MIME = re.compile(r"\b(?:application|image|text)/[\w.+-]+")


def defects_of(folder: Path, name: str) -> list[Defect]:
    result = check_folder(str(folder), load_spec("core"))
    return [d for d in result.defects if d.path == name]


def rendered(d: Defect) -> dict[str, tuple[str, str]]:
    texts = {lang: (message(d, lang), fix(d, lang)) for lang in ("zh", "en")}
    for msg, hint in texts.values():
        assert not MIME.search(msg + hint), (msg, hint)
    return texts


def test_a_docx_saved_as_doc_is_renamed_not_converted(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    (folder / "05_经营情况报告_2025.docx").rename(folder / "05_经营情况报告_2025.doc")
    [d] = defects_of(folder, "05_经营情况报告_2025.doc")
    assert (d.code, d.params["advice"], d.params["real_ext"]) == ("T102", "rename", ".docx")
    texts = rendered(d)
    assert texts["zh"] == ("扩展名是 .doc，但内容是 Word 文档 (.docx)。",
                           "把扩展名改为 .docx：内容本身是完好的 Word 文档 (.docx)。")
    assert "Rename it to .docx" in texts["en"][1] and "original program" not in texts["en"][1]


def test_a_jpeg_named_pdf_is_one_defect_to_convert(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    mk.make_jpeg(folder / "08_股权结构.pdf", 400, 300)
    [d] = defects_of(folder, "08_股权结构.pdf")
    assert (d.code, d.params["advice"]) == ("T102", "convert")
    texts = rendered(d)
    assert texts["zh"][0] == "扩展名是 .pdf，但内容是 JPEG 图片。"
    assert texts["zh"][1].startswith("转换成 PDF 文件") and "只改扩展名" in texts["zh"][1]


def test_a_jpeg_named_png_where_images_are_allowed_is_renamed(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    (folder / "10_社保缴纳证明.jpg").rename(folder / "10_社保缴纳证明.png")
    (folder / "10_社保缴纳证明_2.png").unlink()
    [d] = defects_of(folder, "10_社保缴纳证明.png")
    assert (d.code, d.params["advice"], d.params["real_ext"]) == ("T102", "rename", ".jpg")


def test_a_zip_of_allowed_scans_is_unzipped_and_not_told_to_rescan(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    tiny = {f"社保_{m}月.png": mk.make_png(tmp_path / f"{m}.png", 8, 8).read_bytes() for m in (1, 2)}
    mk.make_zip(folder / "10_社保缴纳证明_1-2月.zip", tiny, gbk_names=True)  # as Chinese Windows zips them
    assert (folder / "10_社保缴纳证明_1-2月.zip").stat().st_size < 1024  # under the 1 KB minimum: no S103
    [d] = defects_of(folder, "10_社保缴纳证明_1-2月.zip")
    assert (d.code, d.params["advice"], d.params["members"]) == ("T101", "unzip", ["社保_1月.png", "社保_2月.png"])
    texts = rendered(d)
    assert texts["zh"][0] == "文件内容是 ZIP 压缩包，要求 PDF 文件、OFD 版式文件、JPEG 图片或 PNG 图片。"
    assert "解压" in texts["zh"][1] and "300 dpi" not in texts["zh"][1] + texts["en"][1]


def test_a_zip_holding_other_files_is_told_to_save_in_an_allowed_format(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    mk.make_zip(folder / "10_社保缴纳证明_打包.zip", {"setup.exe": b"MZ" + b"\0" * 2000, "a.jpg": b"\xff\xd8\xff"})
    [d] = defects_of(folder, "10_社保缴纳证明_打包.zip")
    assert d.code == "T101" and "advice" not in d.params
    assert "另存为" in rendered(d)["zh"][1]


def test_a_wps_file_where_docx_is_wanted_keeps_save_as_advice(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    (folder / "05_经营情况报告_2025.docx").unlink()
    mk.make_wps(folder / "05_经营情况报告_2025.wps", "经营情况", wps_custom_data=True)
    [d] = defects_of(folder, "05_经营情况报告_2025.wps")
    assert d.code == "T101"
    zh, en = rendered(d)["zh"], rendered(d)["en"]
    assert zh[0] == "文件内容是 WPS 文字文档 (.wps/.doc)，要求 PDF 文件或 Word 文档 (.docx)。"
    assert "another" not in en[1] and "save it as a PDF or a Word document (.docx)" in en[1]
