"""D: documents. Emitted by validator/checks/documents.py."""

from __future__ import annotations

from validator.codes.base import Code, E, W

CODES = (
    Code("D101", "document-missing", E,
         ("缺少必需材料", "Required document missing"),
         ("缺少“{title}”，应有文件名形如 {pattern} 的文件。",
          "“{title}” is missing: expected a file named like {pattern}."),
         ("补充该材料，并按规定命名。", "Add the document, named as shown."),
         ("缺件是退回补正最常见的原因。", "A missing document is the most common reason a pack is sent back."),
         "没有 02_营业执照_公司名.pdf"),
    Code("D102", "document-too-few", E,
         ("材料份数不足", "Too few files for a document"),
         ("“{title}”需要 {expected} 个文件，只找到 {found} 个。",
          "“{title}” needs {expected} file(s); found {found}."),
         ("补齐缺少的文件。", "Add the missing files."),
         ("份数不足会被要求补正。", "Too few files means the pack is incomplete."),
         "系统截图至少 4 张，只有 2 张"),
    Code("D103", "document-too-many", E,
         ("材料文件过多", "Too many files for a document"),
         ("“{title}”最多 {expected} 个文件，找到 {found} 个：{files}。",
          "“{title}” allows {expected} file(s); found {found}: {files}."),
         ("保留正确的一份，删除多余或旧版本的文件。", "Keep the right one and remove extra or old versions."),
         ("多份同名材料让审核人不知道以哪份为准。", "Several versions leave the reviewer guessing which one counts."),
         "营业执照.pdf 与 营业执照_旧.pdf"),
    Code("D104", "file-unexpected", E,
         ("多余文件", "Unexpected file"),
         ("该文件不对应规范中的任何材料。", "This file matches no document of the spec."),
         ("按规范重新命名，或从材料文件夹中移除。", "Rename it as the spec says, or remove it from the folder."),
         ("无关文件会被审核人认为材料混乱，也可能泄露其他客户的信息。",
          "Stray files make the pack look careless and may leak another client's data."),
         "新建文本文档.txt"),
    Code("D105", "duplicate-content", W,
         ("重复文件", "Duplicate file"),
         ("与 {other} 内容完全相同。", "Byte-identical to {other}."),
         ("删除重复的一份；如果两份本应不同，换上正确的文件。",
          "Remove the copy; if the two should differ, put in the right file."),
         ("重复文件通常意味着某份材料放错了。", "A duplicate usually means some other document was put in by mistake."),
         "营业执照.pdf 与 营业执照(1).pdf"),
)
