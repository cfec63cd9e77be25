"""The page a clerk sees: a folder path or a dropped zip, the spec(s), progress, then the report.

The report itself is the HTML report of `validator check -f html` (or `batch -f html`), shown
in a frame; the page adds only the form, the progress bar and the download links. The script
is served from the same origin (``/app.js``: the page's CSP allows no inline script); the
words it needs travel in a JSON block.
"""

from __future__ import annotations

import json
from html import escape

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "材料检查",
        "intro": "选择要检查的文件夹（一个客户的材料，或放着多个客户文件夹的总目录），或者把 zip 压缩包拖到下面。"
                 "材料原地读取，不会被修改。",
        "path": "文件夹路径",
        "path_hint": "例如 D:\\客户材料\\北京示例科技有限公司 或 /home/me/材料",
        "specs": "规范（可多选；都不选时用文件夹中 client.yaml 写明的规范）",
        "mode": "检查方式",
        "mode_auto": "自动判断",
        "mode_folder": "一个客户的材料",
        "mode_batch": "多个客户（总目录，每个子文件夹是一个客户）",
        "check": "开始检查",
        "drop": "把 zip 压缩包拖到这里，或点击选择",
        "queued": "排队中…",
        "running": "检查中…",
        "files": "个文件",
        "clients": "个客户",
        "done_ok": "检查完成：可以提交。",
        "done_bad": "检查完成：有需要修改的问题。",
        "counts": "错误 {errors} 个，警告 {warnings} 个，提示 {info} 个；共 {files} 个文件，{clients} 个客户。",
        "download": "下载报告：",
        "xlsx": "Excel 问题清单",
        "html": "网页报告",
        "json": "JSON",
        "failed": "检查没有完成：",
        "no_spec": "这个文件夹的 client.yaml 没有写明规范，请在上面选择一个规范。",
        "spec_error": "规范有误：",
        "not_folder": "找不到这个文件夹，或者它不是文件夹。",
        "empty_path": "请填写文件夹路径。",
        "bad_zip": "压缩包不能使用：",
        "too_big": "压缩包太大。",
        "unknown_spec": "未知的规范：",
        "busy": "请求失败，请重试。",
    },
    "en": {
        "title": "Check materials",
        "intro": "Choose the folder to check (one client's materials, or a root holding one folder per client), "
                 "or drop a zip below. The materials are read where they are and never changed.",
        "path": "Folder path",
        "path_hint": "e.g. D:\\clients\\Acme or /home/me/materials",
        "specs": "Spec(s) (several allowed; none chosen: the spec named in the folder's client.yaml)",
        "mode": "What it is",
        "mode_auto": "Decide for me",
        "mode_folder": "One client's materials",
        "mode_batch": "Several clients (a root; each sub-folder is one client)",
        "check": "Check",
        "drop": "Drop a zip here, or click to choose one",
        "queued": "Waiting…",
        "running": "Checking…",
        "files": "files",
        "clients": "clients",
        "done_ok": "Done: ready to submit.",
        "done_bad": "Done: there are problems to fix.",
        "counts": "{errors} errors, {warnings} warnings, {info} info; {files} files, {clients} clients.",
        "download": "Download the report:",
        "xlsx": "Excel list",
        "html": "web page",
        "json": "JSON",
        "failed": "The check did not finish: ",
        "no_spec": "This folder's client.yaml names no spec: choose one above.",
        "spec_error": "The spec is broken: ",
        "not_folder": "No such folder, or it is not a folder.",
        "empty_path": "Type a folder path.",
        "bad_zip": "The zip cannot be used: ",
        "too_big": "The zip is too large.",
        "unknown_spec": "Unknown spec: ",
        "busy": "The request failed; try again.",
    },
}

STYLE = """
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;
 background:#fafafa;color:#202124;line-height:1.6}
main{max-width:64rem;margin:0 auto;padding:1rem}
form,.panel{background:#fff;border:1px solid #e0e0e0;border-radius:8px;padding:1rem;margin:.75rem 0}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
input[type=text]{width:100%;font:inherit;padding:.4rem;box-sizing:border-box}
fieldset{border:0;padding:0;margin:.5rem 0}
fieldset label{display:inline-block;font-weight:400;margin-right:1rem}
button{font:inherit;padding:.4rem 1.2rem;margin-top:.5rem}
#drop{margin-top:.75rem;border:2px dashed #9aa0a6;border-radius:8px;padding:1.5rem;text-align:center;
 cursor:pointer;color:#5f6368}
#drop.over{background:#e8f0fe}
#status.bad{color:#c62828}#status.good{color:#2e7d32}
progress{width:100%;height:1.2rem}
iframe{width:100%;border:0;min-height:30rem;background:#fff}
.hint{color:#5f6368;font-size:.875rem}
"""


def render_page(lang: str, specs: list[tuple[str, str]]) -> str:
    w = WORDS[lang]
    e = escape
    boxes = "".join(
        f'<label><input type="checkbox" name="spec" value="{e(sid)}"> {e(sid)} <span class="hint">{e(title)}</span>'
        "</label>"
        for sid, title in specs
    )
    modes = "".join(
        f'<label><input type="radio" name="mode" value="{m}"{" checked" if m == "auto" else ""}> {e(w["mode_" + m])}'
        "</label>"
        for m in ("auto", "folder", "batch")
    )
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{e(w["title"])} · validator</title>
<style>{STYLE}</style>
<script type="application/json" id="words">{_json_for_html(w)}</script>
<script src="/app.js" defer></script>
</head>
<body>
<main>
<h1>{e(w["title"])}</h1>
<p class="hint">{e(w["intro"])}</p>
<form id="check-form">
<label for="path">{e(w["path"])}</label>
<input type="text" id="path" name="path" placeholder="{e(w["path_hint"])}" autocomplete="off" spellcheck="false">
<label>{e(w["specs"])}</label>
<fieldset id="specs">{boxes}</fieldset>
<label>{e(w["mode"])}</label>
<fieldset id="mode">{modes}</fieldset>
<button type="submit" id="check">{e(w["check"])}</button>
<div id="drop" tabindex="0">{e(w["drop"])}<input type="file" id="zip" accept=".zip,application/zip" hidden></div>
</form>
<section class="panel" id="progress-panel" hidden>
<p id="status"></p>
<progress id="bar" max="1" value="0"></progress>
<p id="counts"></p>
<p id="downloads" hidden>{e(w["download"])}
<a id="dl-xlsx" download>{e(w["xlsx"])}</a> ·
<a id="dl-html" download>{e(w["html"])}</a> ·
<a id="dl-json" download>{e(w["json"])}</a></p>
</section>
<iframe id="report" title="report" sandbox="allow-same-origin" hidden></iframe>
</main>
</body>
</html>
"""


def _json_for_html(data: object) -> str:
    """JSON inside a <script> block: no `</script>` or `<!--` can end it early."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


SCRIPT = r"""
"use strict";
const W = JSON.parse(document.getElementById("words").textContent);
const $ = (id) => document.getElementById(id);
let polling = null;

function fmt(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
}

function chosen() {
  const specs = [...document.querySelectorAll('input[name="spec"]:checked')].map((x) => x.value);
  const mode = document.querySelector('input[name="mode"]:checked').value;
  return { specs, mode };
}

function show(state, text) {
  $("progress-panel").hidden = false;
  $("status").className = state;
  $("status").textContent = text;
}

function failed(body) {
  const why = (W[body.key] || W.failed) + (body.detail ? " " + body.detail : "");
  show("bad", why);
  $("bar").hidden = true;
}

function reset() {
  if (polling) clearTimeout(polling);
  $("report").hidden = true;
  $("report").removeAttribute("src");
  $("downloads").hidden = true;
  $("counts").textContent = "";
  $("bar").hidden = false;
  $("bar").removeAttribute("value");
  show("", W.queued);
}

async function send(url, init) {
  let response;
  try { response = await fetch(url, { method: "POST", ...init }); }
  catch (e) { failed({ key: "busy" }); return; }  // e.g. a zip refused as too large mid-upload
  start(response);
}

async function start(response) {
  let body = {};
  try { body = await response.json(); } catch (e) { body = { key: "busy" }; }
  if (!response.ok) { failed(body); return; }
  poll(body.job);
}

async function poll(id) {
  let job;
  try {
    const r = await fetch("/api/job/" + id, { cache: "no-store" });
    job = await r.json();
  } catch (e) { polling = setTimeout(() => poll(id), 1000); return; }
  if (job.state === "failed") { failed(job); return; }
  if (job.total) {
    $("bar").max = job.total;
    $("bar").value = job.done;
    show("", `${W.running} ${job.done}/${job.total} ${W[job.unit] || ""}`);
  } else {
    show("", job.state === "queued" ? W.queued : W.running);
  }
  if (job.state !== "done") { polling = setTimeout(() => poll(id), 300); return; }
  const s = job.summary;
  show(s.ok ? "good" : "bad", s.ok ? W.done_ok : W.done_bad);
  $("bar").max = 1; $("bar").value = 1;
  $("counts").textContent = fmt(W.counts, s);
  for (const kind of ["xlsx", "html", "json"]) {
    $("dl-" + kind).href = `/job/${id}/report.${kind}?download=1`;
  }
  $("downloads").hidden = false;
  const frame = $("report");
  frame.onload = () => {
    const doc = frame.contentDocument;
    if (doc && doc.body) frame.style.height = doc.documentElement.scrollHeight + 40 + "px";
    document.body.dataset.state = "shown";
  };
  frame.src = `/job/${id}/report.html`;
  frame.hidden = false;
  document.body.dataset.job = id;
}

$("check-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const path = $("path").value.trim();
  if (!path) { show("bad", W.empty_path); return; }
  reset();
  send("/api/check", {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path, ...chosen() }),
  });
});

async function upload(file) {
  reset();
  const c = chosen();
  const q = new URLSearchParams({ mode: c.mode, name: file.name });
  for (const s of c.specs) q.append("spec", s);
  send("/api/upload?" + q, { headers: { "Content-Type": "application/zip" }, body: file });
}

const drop = $("drop");
drop.addEventListener("click", () => $("zip").click());
drop.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); $("zip").click(); }
});
$("zip").addEventListener("change", () => { if ($("zip").files[0]) upload($("zip").files[0]); });
drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (ev) => {
  ev.preventDefault();
  drop.classList.remove("over");
  if (ev.dataTransfer.files[0]) upload(ev.dataTransfer.files[0]);
});
"""
