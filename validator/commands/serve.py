"""`validator serve`: the checks as a local web page, for clerks who do not use a terminal.

Imports only click at module level; the server loads when the command runs.
"""

from __future__ import annotations

import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command("serve", context_settings=CONTEXT)
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; just print the address.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the page and the reports (default: from the locale, else zh).")
def command(port: int, no_browser: bool, lang: str | None) -> None:
    """Open a local web page to check folders or zip files. 打开本机网页检查材料。

    \b
    The page listens on 127.0.0.1 only. The first line printed is its address with a
    one-time token; a request without the token is refused. Type a folder path (one
    client's materials, or a root of client folders for the batch roll-up) or drop a
    zip, see the report, download it as Excel or HTML. The materials are read where
    they are and never changed. Ctrl-C stops the server.
    页面只在本机 127.0.0.1 上可用；第一行输出是带一次性令牌的地址，没有令牌的请求会被拒绝。

    \b
    Examples:
      validator serve                       # opens the browser
      validator serve --port 8765 --no-browser --lang en
    """
    import signal

    from validator.messages import default_lang
    from validator.web.server import App, make_server

    lg = lang or default_lang()
    app = App(lg)
    try:
        server = make_server(app, port)
    except OSError as exc:
        app.close()
        from validator.cli import EXIT_USAGE

        why = exc.strerror or str(exc)
        click.echo(f"端口 {port} 无法使用：{why}" if lg == "zh" else f"cannot listen on port {port}: {why}", err=True)
        sys.exit(EXIT_USAGE)
    url = app.url()
    click.echo(url)  # the first line on stdout: scripts and tests read it
    sys.stdout.flush()
    app.warm()
    hint = ("在浏览器中打开上面的地址（只在本机可用）；按 Ctrl-C 停止。" if lg == "zh"
            else "Open the address above in a browser (this computer only); Ctrl-C stops the server.")
    click.echo(hint, err=True)
    if not no_browser:
        _open_browser(app.workdir, url)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()


def _open_browser(workdir: str, url: str) -> None:
    """Open the page through a small redirect file (as Jupyter does): the token stays off the
    browser's command line, which other users of the machine could read."""
    import html
    import os
    import threading
    import webbrowser
    from pathlib import Path

    page = Path(workdir) / "open.html"
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        target = html.escape(url, quote=True)
        f.write(f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
                f'<a href="{target}">validator</a>\n')
    threading.Thread(target=webbrowser.open, args=(page.as_uri(),), daemon=True).start()
