"""The HTML report: every number it shows is the JSON's of the same run (one coverage formula for
every ratio, not-applicable classes shown as such); and in headless Chromium it loads without console
errors, its screenshot is not blank, and its Chinese text is there and drawn with a CJK font.

Usage: python3 report_check.py HEALTHREACH SAMPLE_DIR SCRATCH_DIR [SHARED_DATA_DIR]
With SHARED_DATA_DIR (../shared/data), the numbers are also checked on real runs (Accra, Porto Alegre);
absent data are a visible skip of that part, a failure under CI=true.
Exit 0: passed; 1: failed; 77: Chromium is not installed (outside CI only).
"""
import html.parser
import json
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
shared = sys.argv[4] if len(sys.argv) > 4 else ""
os.makedirs(scratch, exist_ok=True)


class report_tables(html.parser.HTMLParser):
    """Cell texts of each <table id=...> (rows of the body) and the facts line as {label: value}."""

    def __init__(self, text):
        super().__init__()
        self.tables, self.facts, self.warnings, self.methods, self.paragraphs = {}, {}, [], [], {}
        self._table = self._row = self._cell = self._item = self._para = None
        self._in_facts = self._in_bold = False
        self._label = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(a.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "div" and a.get("id") == "facts":
            self._in_facts = True
        elif tag == "b" and self._in_facts:
            self._in_bold = True
        elif tag == "span" and self._in_facts:
            self._label = ""
        elif tag in ("li", "dt") and (self._item is not None or tag == "dt"):
            self._item = ""
        elif tag == "ul" and a.get("id") == "warnings":
            self._item = ""
        elif tag == "p" and a.get("id"):
            self._para = a["id"]
            self.paragraphs[self._para] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "li" and self._item is not None:
            self.warnings.append(self._item)
            self._item = ""
        elif tag == "ul":
            self._item = None
        elif tag == "dt" and self._item is not None:
            self.methods.append(self._item)
            self._item = None
        elif tag == "p":
            self._para = None
        elif tag == "b":
            self._in_bold = False
        elif tag == "div":
            self._in_facts = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._item is not None:
            self._item += data
        if self._para is not None:
            self.paragraphs[self._para] += data
        if self._in_facts and self._in_bold:
            self.facts[self._label.strip()] = data.strip()
        elif self._in_facts:
            self._label += data


def count(v):
    return f"{v:,.0f}"


def ratio(population, covered, uncovered, off_network, not_applicable, na_word):
    """The JSON's coverage_ratio formula, printed as the report prints it."""
    base = population - off_network - not_applicable
    if base > 0:
        return f"{100 * covered / base:.1f} %"
    return na_word if not_applicable > 0 else "–"


def check_numbers(name, args, lang):
    """Runs coverage with --json and --report and checks the report's figures against the JSON."""
    page, js, csv = f"{scratch}/{name}.html", f"{scratch}/{name}.json", f"{scratch}/{name}.csv"
    with open(js, "w") as out:
        subprocess.run([exe, "coverage"] + args + ["--lang", lang, "--out", f"{scratch}/{name}.gpkg", "--report", page,
                                                   "--admin-table", csv, "--json", "--quiet"], check=True, stdout=out)
    j = json.load(open(js))
    t = report_tables(open(page, encoding="utf-8").read())
    zh = lang == "zh"
    na = "不适用" if zh else "n/a"
    total = [j["population_total"], j["population_covered"], j["population_uncovered"], j["population_off_network"],
             j["population_not_applicable"]]
    headline = f"{100 * j['coverage_ratio']:.1f} %" if j["coverage_ratio"] is not None else na
    facts = {"总人口" if zh else "Population": count(total[0]), "覆盖" if zh else "Covered": count(total[1]),
             "未覆盖" if zh else "Uncovered": count(total[2]), "路网外" if zh else "Off network": count(total[3]),
             "覆盖率" if zh else "Coverage": headline}
    if total[4] > 0:
        facts["不适用" if zh else "Not applicable"] = count(total[4])
    check(all(t.facts.get(k) == v for k, v in facts.items()), f"{name}: headline figures are the JSON's {facts} vs {t.facts}")
    check(ratio(*total, na) == headline, f"{name}: the JSON's coverage_ratio is covered / (population - off - n/a)")
    rows = {r[0]: r[1:] for r in t.tables.get("summary", [])[1:]}
    total_row = rows.get("合计" if zh else "Total")
    check(total_row is not None and total_row[:6] == [count(v) for v in total] + [headline],
          f"{name}: summary total row {total_row} is the JSON's")
    for unit in j["by_admin"]:
        row = rows.get(unit["name"])
        want = f"{100 * unit['coverage_ratio']:.1f} %" if unit["coverage_ratio"] is not None else na
        check(row is not None and row[0] == count(unit["population"]) and row[1] == count(unit["covered"]) and row[5] == want,
              f"{name}: admin unit {unit['name']}: {row} against population, covered, ratio of the JSON ({want})")
    classes = {r[0]: r[1:] for r in t.tables.get("classes", [])[1:]}
    for cls, label in (("urban", "城市" if zh else "Urban"), ("rural", "农村" if zh else "Rural")):
        c = j["by_area_class"][cls]
        v = [c["population"], c["covered"], c["uncovered"], c["off_network"], c["not_applicable"]]
        want = [count(x) for x in v] + [ratio(*v, na)]
        check(classes.get(label) == want, f"{name}: {cls} row {classes.get(label)} is the JSON's {want}")
    # --bands: cumulative people per band, shares of the applicable people; most relied-on facilities: the
    # JSON's facilities with pop_sole > 0, in its order (sorted by pop_sole), ten at most.
    base = total[0] - total[3] - total[4]
    want_bands = [[count(b["population"]), f"{100 * b['population'] / base:.1f} %" if base > 0 else "–"] for b in j.get("bands", [])]
    got_bands = [r[1:] for r in t.tables.get("bands", [])[1:]]
    check(got_bands == want_bands, f"{name}: bands table {got_bands} is the JSON's {want_bands}")
    want_relied = [[f["id"], f["name"], count(f["pop_within_limit"]), count(f["pop_sole"])]
                   for f in j["facilities"] if f["pop_sole"] > 0][:10]
    got_relied = t.tables.get("most_relied_on", [])[1:]
    check(got_relied == want_relied, f"{name}: most relied-on facilities {got_relied[:2]} are the JSON's {want_relied[:2]}")
    if "--bands" in args:  # the runs chosen to show both sections: an empty pair would test nothing
        check(want_bands and want_relied, f"{name}: bands {len(want_bands)} and relied-on facilities {len(want_relied)} to check")
    # Every warning of the run, in the report as in the JSON; the methods section states how it was made.
    check(t.warnings == j["warnings"], f"{name}: the report's warnings {t.warnings[:3]} are the JSON's {j['warnings'][:3]}")
    want_methods = (["服务与标准", "路网", "人口与吸附", "城乡划分", "设施"] if zh else
                    ["Service and standard", "Road network", "Population and snapping", "Urban and rural", "Facilities"])
    check(t.methods == want_methods, f"{name}: methods section {t.methods}")
    # The per-admin CSV: the JSON's units and totals at full precision.
    with open(csv, encoding="utf-8") as f:
        table = list(__import__("csv").DictReader(f))
    by_name = {r["name"]: r for r in table}
    check(abs(float(by_name["total"]["covered"]) - j["population_covered"]) < 1e-6 * max(1, j["population_covered"]),
          f"{name}: the CSV's total covered is the JSON's")
    for unit in j["by_admin"]:
        r = by_name.get(unit["name"])
        check(r is not None and abs(float(r["population"]) - unit["population"]) < 1e-6 * max(1, unit["population"])
              and abs(float(r["covered"]) - unit["covered"]) < 1e-6 * max(1, unit["covered"]),
              f"{name}: CSV row of {unit['name']} is the JSON's")
    return j


def check_sites(name, args, lang):
    """optimize with --json and --report: the proposed sites' table and the before/after line are the JSON's."""
    page = f"{scratch}/{name}.html"
    run = subprocess.run([exe, "optimize"] + args + ["--lang", lang, "--out", f"{scratch}/{name}.gpkg", "--report", page,
                                                     "--json", "--quiet"], check=True, capture_output=True, text=True)
    j = json.loads(run.stdout)
    t = report_tables(open(page, encoding="utf-8").read())
    rows = t.tables.get("proposed_sites", [])[1:]
    check(len(rows) == len(j["selected"]) > 0, f"{name}: {len(rows)} proposed sites in the report, {len(j['selected'])} in the JSON")
    for row, site in zip(rows, j["selected"]):
        lon, lat, x, y = (float(v.replace(",", "")) for v in row[2:6])
        check(row[1] == str(site["id"]) and abs(x - site["x"]) < 0.06 and abs(y - site["y"]) < 0.06 and row[7] == count(site["gain"]),
              f"{name}: site {row[:8]} is the JSON's {site}")
        check(-180 <= lon <= 180 and -90 <= lat <= 90 and row[6] != "", f"{name}: site {row[1]} has lon/lat and an admin unit")
    base = j["population_total"] - j.get("population_off_network", 0) - j.get("population_not_applicable", 0)
    after = f"{100 * j['population_covered'] / base:.1f} %"
    check(after in t.paragraphs.get("before-after", ""), f"{name}: before/after line {t.paragraphs.get('before-after')} ends at {after}")


sample_inputs = ["--roads", f"{sample}/roads.gpkg", "--population", f"{sample}/population.tif", "--facilities",
                 f"{sample}/facilities.gpkg", "--admin", f"{sample}/admin.gpkg"]
# A snap limit of 100 m puts people off the network in both classes: the old urban/rural table divided
# by the whole class (46.6 % rural) where the formula gives 100 %.
j = check_numbers("numbers-ambulance", sample_inputs + ["--service", "ambulance", "--snap-limit", "100", "--bands", "3000,8000"], "zh")
check(j["by_area_class"]["rural"]["off_network"] > 0, "numbers-ambulance: the run has rural people off the network")
# Community stations have no rural limit: the rural class is not applicable, not 0 %.
j = check_numbers("numbers-community-station", sample_inputs + ["--service", "community-station"], "en")
check(j["by_area_class"]["rural"]["not_applicable"] > 0, "numbers-community-station: the rural class is not applicable")
check_sites("sites-ambulance", sample_inputs + ["--service", "ambulance", "--rural-limit", "10000", "--candidate-spacing", "2000",
                                                "--objective", "max-cover", "--sites", "3"], "en")

real = {"accra": ["--roads", f"{shared}/accra-roads.gpkg", "--population", f"{shared}/accra-pop-2015.tif", "--facilities",
                  f"{shared}/accra-health.gpkg", "--all-facilities"],
        "poa": ["--roads", f"{shared}/poa.osm.pbf", "--population", f"{shared}/poa-pop-hex.tif", "--facilities",
                f"{shared}/poa-health.gpkg", "--all-facilities"]}
if shared and all(os.path.exists(a) for args in real.values() for a in args if a.startswith(shared)):
    # Accra ambulance: 13,842 rural people off the network (the report said 70.0 % rural, the formula 99.7 %).
    check_numbers("numbers-accra-ambulance", real["accra"] + ["--service", "ambulance", "--bands", "2000,5000,10000,20000"], "zh")
    check_numbers("numbers-poa-community-station", real["poa"] + ["--service", "community-station"], "en")
elif os.environ.get("CI") == "true":
    check(False, f"real data under {shared or '(no directory given)'}")
else:
    print(f"SKIPPED: the real-data report numbers (no data under {shared or '(no directory given)'})")

browser = shutil.which("chromium") or shutil.which("chromium-browser")
if not browser:
    if failures:
        print(f"{len(failures)} checks failed")
        sys.exit(1)
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
