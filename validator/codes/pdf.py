"""P: PDF. Emitted by validator/checks/pdf.py."""

from __future__ import annotations

from validator.codes.base import Code, E, W

CODES = (
    Code("P101", "pdf-unreadable", E,
         ("PDF 无法打开", "PDF cannot be opened"),
         ("PDF 已损坏或无法解析：{reason}", "The PDF is damaged or cannot be parsed: {reason}"),
         ("用原文件重新导出或重新扫描为 PDF。", "Export or scan the PDF again from the original."),
         ("损坏的 PDF 在审核系统中打不开。", "A damaged PDF does not open in the review system."),
         "下载中断的 PDF"),
    Code("P102", "pdf-encrypted", E,
         ("PDF 已加密", "PDF is encrypted"),
         ("PDF 设置了加密或编辑限制。", "The PDF is encrypted or restricts editing."),
         ("另存或打印为不加密的 PDF（去掉“限制编辑”）。",
          "Save or print it as a PDF without encryption (no editing restrictions)."),
         ("加密的 PDF 可能无法被审核系统读取或加盖电子签章。",
          "Encrypted PDFs may not be readable or stampable by the review system."),
         "带“限制编辑”导出的 PDF"),
    Code("P103", "pdf-password", E,
         ("PDF 需要密码才能打开", "PDF needs a password"),
         ("PDF 设置了打开密码。", "The PDF needs a password to open."),
         ("去掉打开密码后重新导出。", "Export it again without an open password."),
         ("审核人没有密码，无法审核。", "The reviewer has no password and cannot review it."),
         ""),
    Code("P104", "pdf-pages", E,
         ("PDF 页数不符", "PDF page count out of range"),
         ("PDF 有 {pages} 页，要求 {expected} 页。", "The PDF has {pages} page(s); required: {expected}."),
         ("检查是否漏扫或多扫了页面。", "Check for missing or extra scanned pages."),
         ("页数不符常说明漏页或放错了文件。", "A wrong page count often means missing pages or the wrong file."),
         ""),
    Code("P105", "pdf-repaired", W,
         ("PDF 结构有损坏，阅读器可自动修复", "PDF structure is damaged but repairable"),
         ("PDF 的交叉引用表（文件末尾的目录）损坏或缺失，阅读器打开时会自动重建，内容可以显示。",
          "The PDF's cross-reference table (the index at the end of the file) is damaged or missing; "
          "viewers rebuild it when opening, and the content shows."),
         ("用原软件重新导出，或用阅读器“另存为”一份新的 PDF，确认能正常打开后替换。",
          "Export it again from the original program, or use \"Save as\" in a PDF viewer, and replace it."),
         ("多数阅读器能打开，但部分审核系统或电子签章工具会拒收结构损坏的文件。",
          "Most viewers open it, but some review systems and e-seal tools reject a damaged structure."),
         "末尾被截断、缺少 startxref 的 营业执照.pdf"),
)
