"""F: the file system. Emitted by the walk and the safe reader (validator/packsource.py,
validator/safeio.py, validator/engine.py)."""

from __future__ import annotations

from validator.codes.base import Code, E, W

CODES = (
    Code("F101", "file-unreadable", E,
         ("文件无法读取", "File cannot be read"),
         ("无法读取该文件：{detail}", "The file cannot be read: {detail}"),
         ("检查文件权限或是否被其他程序占用，复制一份可读的文件到材料文件夹。",
          "Check the file permissions or whether another program locks it; put a readable copy in the folder."),
         ("审核系统同样无法打开读不出的文件。", "The upload portal cannot open a file that cannot be read either."),
         "权限为 000 的 营业执照.pdf"),
    Code("F102", "file-vanished", E,
         ("文件在检查过程中消失", "File disappeared during the check"),
         ("检查开始后该文件被删除或移动：{detail}", "The file was removed or moved while it was being checked: {detail}"),
         ("等同步完成后重新检查。", "Wait for the sync to finish and check again."),
         ("共享盘同步中的材料可能不完整。", "A folder that is still syncing may be incomplete."),
         "同步软件正在替换的文件"),
    Code("F103", "symlink", W,
         ("符号链接", "Symbolic link"),
         ("这是指向 {target} 的链接，而不是文件本身；未跟随检查。",
          "This is a link to {target}, not a file; it was not followed."),
         ("把真实文件复制到材料文件夹，删除链接。", "Copy the real file into the folder and remove the link."),
         ("上传工具和压缩软件常常不跟随链接，提交的包里会缺文件。",
          "Upload tools and archivers often skip links, so the pack would lack the file."),
         "营业执照.pdf -> /home/other/营业执照.pdf"),
    Code("F104", "special-file", E,
         ("特殊文件", "Special file"),
         ("这是 {kind_name}，不是普通文件；未打开。", "This is a {kind_name}, not a regular file; it was not opened."),
         ("从材料文件夹中移除它。", "Remove it from the materials folder."),
         ("管道、设备等特殊文件无法上传，也可能让读取它的程序卡住。",
          "Pipes and devices cannot be uploaded and can block a program that reads them."),
         "mkfifo 创建的管道"),
    Code("F105", "folder-unreadable", E,
         ("文件夹无法读取", "Folder cannot be read"),
         ("无法列出该文件夹：{detail}", "The folder cannot be listed: {detail}"),
         ("检查文件夹是否存在以及访问权限。", "Check that the folder exists and can be read."),
         ("读不到的文件夹中的材料无法检查。", "Materials in a folder that cannot be read cannot be checked."),
         ""),
)
