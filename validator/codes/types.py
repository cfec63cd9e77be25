"""T: type by content. Emitted by validator/checks/types.py."""

from __future__ import annotations

from validator.codes.base import INFO, Code, E

CODES = (
    Code("T101", "type-not-allowed", E,
         ("文件格式不符合要求", "File type not allowed"),
         ("文件内容是 {kind_name}，要求 {allowed_names}。", "The content is {kind_name}; required: {allowed_names}."),
         ("用原软件打开，另存为 {allowed_names}；不要只改扩展名。",
          "Open it in the original program and save it as {allowed_names}; renaming the extension is not enough."),
         ("格式不符的文件会被系统拒收或无法打开。", "A file in the wrong format is refused or cannot be opened."),
         ".wps 文件而要求 .docx"),
    Code("T102", "extension-mismatch", E,
         ("扩展名与内容不符", "Extension does not match the content"),
         ("扩展名是 {ext}，但内容是 {kind_name}。", "The extension is {ext} but the content is {kind_name}."),
         ("把扩展名改成与内容相符的，或换成要求格式的文件。",
          "Give it the extension of its content, or replace it with a file of the required format."),
         ("改过扩展名的文件（如 JPEG 改名为 .pdf）在审核系统里打不开。",
          "A renamed file (a JPEG called .pdf) does not open in the review system."),
         "照片.jpg 改名为 营业执照.pdf"),
    Code("T103", "file-encrypted", E,
         ("文件有密码保护", "File is password-protected"),
         ("文件被加密（{kind_name}），审核人无法打开。", "The file is encrypted ({kind_name}); a reviewer cannot open it."),
         ("去掉打开密码后重新保存。", "Remove the password and save it again."),
         ("加密文件无法审核。", "An encrypted file cannot be reviewed."),
         "设置了打开密码的 人员名单.xlsx"),
    Code("T104", "excel-default-password", INFO,
         ("表格使用 Excel 默认密码加密", "Workbook encrypted with Excel's default password"),
         ("文件用 Excel 内置的默认密码加密（{kind}），Excel 和 WPS 打开时不询问密码。",
          "The file is encrypted with Excel's built-in default password ({kind}); Excel and WPS open it "
          "without asking for a password."),
         ("一般无需处理；如审核系统无法读取，用 Excel 打开后另存为一份新的 .xlsx。",
          "Usually nothing to do; if the review system cannot read it, open it in Excel and save a new .xlsx."),
         ("这类文件通常是设置了“保护工作表/工作簿”而非打开密码，审核人能打开，但部分程序无法读取。",
          "Such files usually carry sheet or workbook protection, not an open password: a reviewer can "
          "open them, but some programs cannot read them."),
         "设置了“保护工作簿”的 人员名单.xls"),
    Code("T105", "file-damaged", E,
         ("文件已损坏", "File is damaged"),
         ("文件不完整或结构损坏（看起来是 {kind} 文件），无法打开。",
          "The file is incomplete or its structure is broken (it looks like a {kind} file); it cannot be opened."),
         ("从原始来源重新下载或复制一份完整的文件；如仍损坏，用原软件重新导出。",
          "Download or copy the complete file again from its source; if it is still damaged, export it again."),
         ("下载或同步中断的文件在审核系统中打不开。", "A file cut short by a download or sync does not open in the review system."),
         "下载中断、只有一半大小的 人员名单.xlsx"),
)
