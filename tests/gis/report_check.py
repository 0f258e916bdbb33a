"""The HTML report in headless Chromium: it loads without console errors, its screenshot is not blank,
and its Chinese text is there and drawn with a CJK font.

Usage: python3 report_check.py HEALTHREACH SAMPLE_DIR SCRATCH_DIR
Exit 0: passed; 1: failed; 77: Chromium is not installed (outside CI only).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import check, failures, missing_tool  # noqa: E402

exe, sample, scratch = sys.argv[1:4]
os.makedirs(scratch, exist_ok=True)
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if not browser:
    missing_tool("chromium")


def read_png(path):
    """Width, height and rows of (r, g, b) of an 8-bit RGB or RGBA non-interlaced PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        prev = line
    return width, height, rows


inputs = ["--roads", f"{sample}/roads.gpkg", "--population", f"{sample}/population.tif",
          "--facilities", f"{sample}/facilities.gpkg", "--admin", f"{sample}/admin.gpkg"]
reports = {
    "optimize": ["optimize"] + inputs + ["--service", "ambulance", "--candidate-spacing", "2000", "--objective",
                                         "max-cover", "--sites", "3", "--out", f"{scratch}/optimize.gpkg"],
    "compliance": ["compliance", "--population", f"{sample}/population.tif", "--facilities", f"{sample}/facilities.gpkg",
                   "--admin", f"{sample}/admin.gpkg", "--villages", f"{sample}/villages.gpkg", "--out",
                   f"{scratch}/compliance.gpkg"],
}
headings = {"optimize": ["按行政区汇总", "城乡分布", "建议新址"], "compliance": ["规划标准达标情况"]}
flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={scratch}/chromium-profile"]

font = subprocess.run(["fc-match", "-f", "%{family}|%{file}", "Noto Sans CJK SC"], capture_output=True, text=True).stdout
check("CJK" in font, f"the report's font resolves to a CJK font: {font}")

for name, args in reports.items():
    html = f"{scratch}/{name}.html"
    subprocess.run([exe] + args + ["--report", html, "--quiet"], check=True)
    text = open(html, encoding="utf-8").read()
    check(all(h in text for h in headings[name]), f"{name}: Chinese headings in the page")
    check(not re.search(r"<(script|link)\b|src=\"(?!data:)", text), f"{name}: self-contained (no script, no external file)")
    run = subprocess.run([browser] + flags + ["--enable-logging=stderr", "--v=0", "--window-size=1200,1800",
                                              f"--screenshot={scratch}/{name}.png", f"file://{os.path.abspath(html)}"],
                         capture_output=True, text=True, timeout=120)
    console = [l for l in run.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l or "Failed to load" in l]
    check(run.returncode == 0 and os.path.exists(f"{scratch}/{name}.png"), f"{name}: Chromium loads the page and takes a screenshot")
    check(not console, f"{name}: no console errors {console[:3]}")
    dom = subprocess.run([browser] + flags + ["--dump-dom", f"file://{os.path.abspath(html)}"], capture_output=True,
                         text=True, timeout=120).stdout
    check(all(h in dom for h in headings[name]), f"{name}: the rendered page holds the Chinese headings")
    width, height, rows = read_png(f"{scratch}/{name}.png")
    inked = sum(1 for y in range(0, height, 6) for x in range(0, width, 6) if rows[y][x] != (255, 255, 255))
    total = (height // 6 + 1) * (width // 6 + 1)
    colours = {rows[y][x] for y in range(0, height, 6) for x in range(0, width, 6)}
    check(inked / total > 0.03 and len(colours) > 20, f"{name}: screenshot not blank ({inked / total:.0%} inked, {len(colours)} colours)")
    # The title (the first heading, Chinese) is drawn: dark pixels in its band at the top left.
    dark = sum(1 for y in range(20, 90) for x in range(40, 400) if sum(rows[y][x]) < 200)
    check(dark > 200, f"{name}: the Chinese title is drawn ({dark} dark pixels)")

print(f"{len(failures)} checks failed" if failures else "all report checks passed")
sys.exit(1 if failures else 0)
