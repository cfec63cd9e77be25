"""S: size. Emitted by validator/checks/size.py."""

from __future__ import annotations

from validator.codes.base import Code, E

CODES = (
    Code("S101", "file-empty", E,
         ("空文件", "Empty file"),
         ("文件大小为 0 字节。", "The file is 0 bytes."),
         ("换成完整的文件（可能是下载或同步中断）。", "Replace it with the complete file (a download or sync was cut short)."),
         ("空文件什么也证明不了。", "An empty file proves nothing."),
         ""),
    Code("S102", "file-too-large", E,
         ("文件过大", "File too large"),
         ("文件大小 {size}，超过上限 {max}。", "The file is {size}; the limit is {max}."),
         ("压缩图片或以较低分辨率（仍 ≥ 300 dpi）重新扫描，拆分过大的文件。",
          "Compress images or rescan at a lower resolution (still ≥ 300 dpi); split large files."),
         ("超过上限的文件无法上传。", "Files over the limit cannot be uploaded."),
         ""),
    Code("S103", "file-too-small", E,
         ("文件过小", "File too small"),
         ("文件大小 {size}，低于下限 {min}。", "The file is {size}; the minimum is {min}."),
         ("换成清晰的原件扫描（不低于 300 dpi）。", "Use a clear scan of the original (at least 300 dpi)."),
         ("过小的扫描件通常不清晰，会被要求重新提供。", "A tiny scan is usually unreadable and gets rejected."),
         ""),
)
