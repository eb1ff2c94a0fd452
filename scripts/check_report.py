#!/usr/bin/env python3
"""Renders runner reports in headless Chromium and checks them: no console or load error,
every chart's SVG has a nonzero size, nothing is fetched from the network, the page fits a
phone's width, and screenshots (desktop light, phone dark) are not blank.
Usage: check_report.py CHROMIUM OUT_FOLDER REPORT.html...  (screenshots go to OUT_FOLDER)"""
import html
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_pixels import read_png  # noqa: E402

PROBE = """<script>
window.__problems = [];
window.addEventListener('error', e => __problems.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'resource')), true);
for (const level of ['error', 'warn']) { const original = console[level]; console[level] = (...a) => { __problems.push(level + ': ' + a.join(' ')); original(...a); }; }
window.addEventListener('load', () => {
  const svgs = [...document.querySelectorAll('svg')].map(s => { const b = s.getBoundingClientRect(); return {w: b.width, h: b.height, title: (s.querySelector('title') || {}).textContent || '', desc: (s.querySelector('desc') || {}).textContent || ''}; });
  const probe = document.createElement('pre'); probe.id = 'probe';
  probe.textContent = JSON.stringify({svgs, problems: __problems, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth});
  document.body.appendChild(probe);
});
</script>"""


def chromium(binary, *arguments):
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    return result


def probe(binary, path, width, dark):
    with open(path, encoding="utf-8") as handle:
        page = handle.read()
    probed = page.replace("<head>", "<head>" + PROBE, 1)
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as handle:
        handle.write(probed)
        temporary = handle.name
    try:
        arguments = [f"--window-size={width},900", "--virtual-time-budget=5000", "--dump-dom"]
        if dark:
            arguments.append("--blink-settings=preferredColorScheme=0")
        result = chromium(binary, *arguments, "file://" + temporary)
    finally:
        os.unlink(temporary)
    match = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    if not match:
        raise SystemExit(f"{path}: the probe did not report (chromium exit {result.returncode}): {result.stderr[-2000:]}")
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return json.loads(html.unescape(match.group(1))), console


def screenshot_problems(path):
    width, height, channels, rows = read_png(path)
    background = rows[2][:channels]
    colours, differing = set(), 0
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            pixel = row[x:x + channels]
            colours.add(pixel)
            if pixel != background:
                differing += 1
    sampled = len(rows[::4]) * len(range(0, width * channels, channels * 4))
    problems = []
    if len(colours) < 16:
        problems.append(f"{path}: only {len(colours)} colours: blank?")
    if differing < sampled * 0.02:
        problems.append(f"{path}: {differing} of {sampled} sampled pixels differ from the background: blank?")
    return problems, background


def main():
    binary, folder, reports = sys.argv[1], sys.argv[2], sys.argv[3:]
    problems, charts = [], 0
    for index, path in enumerate(reports):
        with open(path, encoding="utf-8") as handle:
            page = handle.read()
        size = len(page.encode("utf-8"))
        if size >= 1_000_000:
            problems.append(f"{path}: {size} bytes (limit 1 MB)")
        for reference in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page):
            problems.append(f"{path}: references {reference} (the report must be self-contained)")
        if "<script" in page:
            problems.append(f"{path}: holds a script (the report must read without one)")
        for width, dark in ((1200, False), (390, True)):
            result, console = probe(binary, path, width, dark)
            problems += [f"{path} at {width}px: {line}" for line in result["problems"] + console]
            if not result["svgs"]:
                problems.append(f"{path}: no charts")
            for svg in result["svgs"]:
                charts += 1
                if svg["w"] <= 0 or svg["h"] <= 0:
                    problems.append(f"{path} at {width}px: chart '{svg['title']}' has size {svg['w']}x{svg['h']}")
                if not svg["title"].strip() or not svg["desc"].strip():
                    problems.append(f"{path}: a chart without a title or text alternative")
            if result["scrollWidth"] > result["innerWidth"] + 1:
                problems.append(f"{path} at {width}px: the page is {result['scrollWidth']}px wide (overflows the screen)")
        name = os.path.splitext(os.path.basename(os.path.dirname(path)) or f"report{index}")[0]
        light, dark = os.path.join(folder, f"{name}-light.png"), os.path.join(folder, f"{name}-phone-dark.png")
        chromium(binary, "--window-size=1200,2000", f"--screenshot={light}", "file://" + os.path.abspath(path))
        chromium(binary, "--window-size=390,1600", "--blink-settings=preferredColorScheme=0", f"--screenshot={dark}", "file://" + os.path.abspath(path))
        for shot, want_dark in ((light, False), (dark, True)):
            if not os.path.exists(shot):
                problems.append(f"{shot}: no screenshot")
                continue
            found, background = screenshot_problems(shot)
            problems += found
            if (sum(background) / len(background) < 128) != want_dark:
                problems.append(f"{shot}: background {tuple(background)} is not {'dark' if want_dark else 'light'}")
    for problem in problems:
        print("PROBLEM", problem)
    print(f"{len(reports)} reports, {charts} charts rendered, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
