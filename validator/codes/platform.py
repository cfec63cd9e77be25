"""U: the user's platform (Windows). Emitted by validator/checks/portability.py."""

from __future__ import annotations

from validator.codes.base import INFO, Code, E

CODES = (
    Code("U101", "libmagic-unavailable", INFO,
         ("未使用 libmagic", "libmagic not used"),
         ("本次检查没有使用 libmagic，部分文件的类型由工具内置的识别判断。PDF、Office/WPS、图片、压缩包和文本格式的判断不受影响，少见格式可能显示为“未知类型”。",
          "libmagic was not used in this check ({detail}); the built-in recognition judged the type of some files. "
          "PDF, Office/WPS, images, archives and text formats are recognised the same; rare formats may show as unknown."),
         ("通常无需处理。需要 libmagic 时：Windows 上 pip install python-magic-bin；Debian/Ubuntu 上 apt-get install libmagic1；macOS 上 brew install libmagic。",
          "Usually nothing to do. To use libmagic: on Windows pip install python-magic-bin; on Debian/Ubuntu "
          "apt-get install libmagic1; on macOS brew install libmagic."),
         ("Windows 自带的 Python 没有 libmagic；说明哪些判断不依赖它，结果才可信。",
          "A stock Windows Python has no libmagic; saying so tells which verdicts did not depend on it."),
         "Windows 上未安装 python-magic-bin"),
    Code("U102", "name-case-clash", E,
         ("名称只有大小写不同", "Names differ only in case"),
         ("与 {other} 只有大小写不同；在 Windows 上两者是同一个名称，复制或解压时一个会覆盖另一个。",
          "Differs from {other} only in letter case; on Windows both are the same name, so copying or "
          "extracting the folder there keeps only one of them."),
         ("改名让两者明显不同，或删除多余的一个。", "Rename one of them so that they differ, or remove the extra one."),
         ("审核人多用 Windows，同名文件会在解压时被覆盖，材料就少了一份。",
          "Reviewers mostly use Windows, where one file overwrites the other on extraction and a document is lost."),
         "营业执照.pdf 和 营业执照.PDF"),
)
