"""Words the messages of every family share: optional fragments, type and content-kind names,
situational advice and enumerated reasons."""

from __future__ import annotations

from validator.codes.base import Text

# Optional pieces of a message, rendered only when the params they need are present.
FRAGMENTS: dict[str, tuple[Text, tuple[str, ...]]] = {
    "hint_text": (("（可能应为 {hint}）", " (did you mean {hint}?)"), ("hint",)),
    "guess": (("（看起来是 {codec} 编码的“{decoded}”）", " (it looks like {codec}: “{decoded}”)"), ("codec", "decoded")),
    "where": (("（含全角空格 {ideographic}）", " (including an ideographic space {ideographic})"), ("ideographic",)),
    "owner": (("，它属于客户 {other}", ", which belongs to client {other}"), ("other",)),
    "needed": (("，核对文件名 {needed_by} 需要它", "; it is needed to check the names {needed_by}"), ("needed_by",)),
    # Cell defects: the person (or key value) on the row, the row itself, rows left unlisted.
    "who_part": (("（{who}）", " ({who})"), ("who",)),
    "at_row": (("第 {row} 行{who_part}：", "Row {row}{who_part}: "), ("row",)),
    "rows_more": (("，另有 {more} 行", ", and {more} more"), ("more",)),
}

# Names of value types (a param called ``type`` yields ``type_name``).
TYPE_NAMES: dict[str, Text] = {
    "text": ("文本", "text"), "integer": ("整数", "a whole number"), "number": ("数字", "a number"),
    "date": ("日期", "a date"), "month": ("年月（YYYY-MM）", "a month (YYYY-MM)"),
    "boolean": ("是/否", "yes/no (是/否)"), "email": ("电子邮箱", "an e-mail address"),
    "ip": ("IP 地址", "an IP address"), "domain": ("域名", "a domain name"),
    "uscc": ("统一社会信用代码", "a unified social credit code"), "cn_id": ("居民身份证号", "a resident ID number"),
    "cn_mobile": ("手机号码", "a mobile number"), "licence_no": ("经营许可证编号", "a licence number"),
    "icp_record": ("ICP备案号", "an ICP filing number"),
}

# Human names of sniffed content kinds (a param called ``kind`` yields ``kind_name``; a list
# ``allowed`` of spec types yields ``allowed_names``): messages never show a MIME type.
KIND_NAMES: dict[str, Text] = {
    "pdf": ("PDF 文件", "a PDF"),
    "docx": ("Word 文档 (.docx)", "a Word document (.docx)"),
    "docm": ("启用宏的 Word 文档 (.docm)", "a macro-enabled Word document (.docm)"),
    "doc": ("Word 97-2003 文档 (.doc)", "a Word 97-2003 document (.doc)"),
    "wps": ("WPS 文字文档 (.wps/.doc)", "a WPS Writer document (.wps/.doc)"),
    "xlsx": ("Excel 工作簿 (.xlsx)", "an Excel workbook (.xlsx)"),
    "xlsm": ("启用宏的 Excel 工作簿 (.xlsm)", "a macro-enabled Excel workbook (.xlsm)"),
    "xlsb": ("Excel 二进制工作簿 (.xlsb)", "an Excel binary workbook (.xlsb)"),
    "xls": ("Excel 97-2003 工作簿 (.xls)", "an Excel 97-2003 workbook (.xls)"),
    "et": ("WPS 表格 (.et/.xls)", "a WPS Spreadsheets workbook (.et/.xls)"),
    "pptx": ("PowerPoint 演示文稿 (.pptx)", "a PowerPoint presentation (.pptx)"),
    "pptm": ("启用宏的 PowerPoint 演示文稿 (.pptm)", "a macro-enabled PowerPoint presentation (.pptm)"),
    "ppt": ("PowerPoint 97-2003 演示文稿 (.ppt)", "a PowerPoint 97-2003 presentation (.ppt)"),
    "dps": ("WPS 演示文稿 (.dps/.ppt)", "a WPS Presentation file (.dps/.ppt)"),
    "ooxml": ("Office 文档", "an Office document"),
    "ooxml-encrypted": ("加密的 Office 文档", "a password-protected Office document"),
    "ole": ("Office 复合文档", "an OLE compound file"),
    "odt": ("OpenDocument 文本 (.odt)", "an OpenDocument text (.odt)"),
    "ods": ("OpenDocument 表格 (.ods)", "an OpenDocument spreadsheet (.ods)"),
    "odp": ("OpenDocument 演示文稿 (.odp)", "an OpenDocument presentation (.odp)"),
    "ofd": ("OFD 版式文件", "an OFD e-document"),
    "zip": ("ZIP 压缩包", "a ZIP archive"),
    "rar": ("RAR 压缩包", "a RAR archive"),
    "7z": ("7-Zip 压缩包", "a 7-Zip archive"),
    "gz": ("gzip 压缩文件", "a gzip file"),
    "jpg": ("JPEG 图片", "a JPEG image"),
    "png": ("PNG 图片", "a PNG image"),
    "gif": ("GIF 图片", "a GIF image"),
    "bmp": ("BMP 图片", "a BMP image"),
    "tiff": ("TIFF 图片", "a TIFF image"),
    "webp": ("WebP 图片", "a WebP image"),
    "heic": ("HEIC 图片（手机照片）", "a HEIC image (phone photo)"),
    "avif": ("AVIF 图片", "an AVIF image"),
    "svg": ("SVG 矢量图", "an SVG drawing"),
    "html": ("网页 (HTML)", "a web page (HTML)"),
    "xml": ("XML 文件", "an XML file"),
    "json": ("JSON 文件", "a JSON file"),
    "csv": ("CSV 文本表格", "a CSV text table"),
    "txt": ("纯文本", "plain text"),
    "rtf": ("RTF 文档", "an RTF document"),
    "empty": ("空文件", "an empty file"),
    "unknown": ("无法识别的格式", "an unrecognised format"),
    # special files (F104)
    "fifo": ("命名管道", "named pipe"), "socket": ("套接字", "socket"), "device": ("设备文件", "device file"),
    "other": ("特殊文件", "special file"), "dir": ("文件夹", "folder"),  # a file replaced by a folder mid-check
    # wildcards a spec may list in `types:`
    "image/*": ("任意图片", "any image"), "*/*": ("任意格式", "any format"),
}

# Fixes that fit one situation better than the code's general fix: a defect whose params
# name an ``advice`` is shown this text instead (validator.checks.types and naming set it).
ADVICE: dict[str, Text] = {
    "rename": ("把扩展名改为 {real_ext}：内容本身是完好的 {kind_name}。",
               "Rename it to {real_ext}: the content is {kind_name} and needs no conversion."),
    "unzip": ("解压这个压缩包，把其中的文件（{members}）直接放进材料文件夹，再删除压缩包。",
              "Unzip it, put its files ({members}) in the folder itself and remove the archive."),
    "convert": ("转换成 {allowed_names}（图片可用“打印为 PDF”，文档用原软件另存为）；只改扩展名不会改变内容。",
                "Convert it to {allowed_names} (print an image to PDF; save a document as it from its "
                "program); renaming does not change the content."),
    # N103, one fix per reason the name is invalid (validator.checks.naming)
    "name_reserved": ("在 {name} 前后加上文字再命名（例如 {name}_说明）：Windows 不允许单独用它作名称。",
                      "Add words before or after {name} (e.g. {name}_notes): Windows does not allow it alone as a name."),
    "name_invalid_char": ("去掉名称中的 {chars}，或改为 - 或 _。", "Remove {chars} from the name, or put - or _ instead."),
    "name_trailing": ("去掉名称结尾的点或空格。", "Remove the dot or space at the end of the name."),
    "name_control": ("重新输入名称：其中有看不见的控制字符（常见于从网页或聊天软件复制的文字）。",
                     "Type the name again: it holds invisible control characters (often copied from a web page "
                     "or a chat)."),
    "name_too_long": ("缩短名称，使其不超过 255 字节（约 85 个汉字）。",
                      "Shorten the name to at most 255 bytes (about 85 Chinese characters)."),
}

# Texts for enumerated reasons; a defect param called ``reason`` is looked up here.
REASONS: dict[str, Text] = {
    # identifiers (validator.identifiers)
    "empty": ("为空", "it is empty"),
    "whitespace": ("含有空格", "it contains spaces"),
    "fullwidth": ("含全角字符（应为 {normalized}）", "it contains full-width characters (should be {normalized})"),
    "length": ("位数应为 {expected}，实际 {found}", "it should have {expected} characters, not {found}"),
    "charset": ("第 {position} 位的字符 {char} 不允许{hint_text}", "character {char} at position {position} is not allowed{hint_text}"),
    "area": ("地区码部分应为数字", "the area code part must be digits"),
    "check_digit": ("校验位应为 {expected}，实际 {found}", "the check character should be {expected}, not {found}"),
    "birth_date": ("出生日期 {date} 不存在", "the birth date {date} is not a real date"),
    "lowercase": ("字母应为大写（{normalized}）", "letters must be upper case ({normalized})"),
    "format": ("格式应形如 {expected}", "it should look like {expected}"),
    # PDF / spreadsheet readers
    "not_pdf": ("不是 PDF 文件", "it is not a PDF"),
    "no_pages": ("PDF 中没有任何页面", "the PDF has no pages"),
    # The parser's own words are English: the zh text leaves them out (they stay in the JSON's params).
    "damaged": ("文件已损坏，无法解析", "the file is damaged ({detail})"),
    "timeout": ("解析超时，文件结构异常", "parsing took too long; the structure is abnormal"),
    "too_large": ("文件过大，未解析", "the file is too large to parse"),
    "memory": ("解析所需内存超限，文件结构异常", "parsing needed too much memory; the structure is abnormal"),
    "password": ("需要密码", "it needs a password"),
    "not_xlsx": ("不是 xlsx 工作簿", "it is not an xlsx workbook"),
    "encrypted": ("文件已加密", "it is encrypted"),
    "zip_bomb": ("解压后体积异常巨大（疑似压缩炸弹）", "it inflates to an abnormal size (a zip bomb)"),
    "sheet_missing": ("找不到工作表", "the sheet is missing"),
    # pathvalidate reasons (validator.checks.naming)
    "reserved": ("{name} 是 Windows 保留名称", "{name} is a reserved name on Windows"),
    "invalid_char": ("含有不允许的字符 {chars}", "it contains characters not allowed: {chars}"),
    "trailing": ("以点或空格结尾", "it ends with a dot or a space"),
    "control": ("含有控制字符", "it contains control characters"),
    "too_long_bytes": ("长度超过 255 字节（实际 {bytes} 字节，一个汉字占 3 字节），Windows 和多数文件系统无法保存",
                       "it is longer than 255 bytes ({bytes}; a Chinese character takes 3), which Windows and most "
                       "file systems cannot store"),
    "invalid": ("{detail}", "{detail}"),
    # input files the tool reads itself (validator.safeio)
    "file_fifo": ("它是命名管道（FIFO），不是普通文件", "it is a named pipe (FIFO), not a regular file"),
    "file_socket": ("它是套接字，不是普通文件", "it is a socket, not a regular file"),
    "file_device": ("它是设备文件，不是普通文件", "it is a device, not a regular file"),
    "file_directory": ("它是文件夹，不是文件", "it is a folder, not a file"),
    "file_special": ("它不是普通文件", "it is not a regular file"),
    "file_symlink": ("它是链接（快捷方式），工具不会顺着链接读取", "it is a symbolic link, and links are not followed"),
    "file_too_large": ("文件大于 {limit}（实际 {size}）", "it is larger than {limit} ({size})"),
    "file_unreadable": ("无法读取（{detail}）", "it cannot be read ({detail})"),
    # variable values
    "pattern": ("不符合格式 {pattern}", "it does not match {pattern}"),
    "type": ("应为{type_name}", "it should be {type_name}"),
}
