"""The workbench page in a real browser (Debian chromium + chromium-driver, python3-selenium): it
loads without console errors, a click on the map adds a site, a click on a facility closes it, and
the panel's covered population is the API's for the page's own scenario; screenshots are written
for review. On the sample region and, with SHARED_DATA_DIR, on Accra.

Usage: /usr/bin/python3 serve_check.py HEALTHREACH SAMPLE_DIR SCRATCH_DIR [SHARED_DATA_DIR]
Exit 0: passed; 1: failed; 77: Chromium, its driver or Selenium is not installed (outside CI only).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import check, failures, missing_tool  # noqa: E402

exe, sample, scratch = sys.argv[1:4]
shared = sys.argv[4] if len(sys.argv) > 4 else ""
os.makedirs(scratch, exist_ok=True)

try:
    from selenium import webdriver
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    missing_tool("python3-selenium")
browser = shutil.which("chromium")
driver_path = shutil.which("chromedriver")
if not browser or not driver_path:
    missing_tool("chromium and chromium-driver")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def api(port, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def start(args, name):
    port = free_port()
    err = open(os.path.join(scratch, f"{name}-serve.err"), "w")
    proc = subprocess.Popen([exe, "serve", *args, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(2400):
        with open(err.name) as f:
            if "healthreach serve: http://" in f.read():
                return proc, port
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(err.name) as f:
        print(f.read())
    raise SystemExit(f"FAIL: {name}: serve did not start")


def new_driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--window-size=1400,900", "--hide-scrollbars", f"--user-data-dir={scratch}/chromium-profile"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=webdriver.chrome.service.Service(driver_path), options=opts)


def panel_covered(d):
    return d.execute_script("const c = document.getElementById('covered'); return c ? Number(c.dataset.value) : null;")


def settled(d, previous):
    """Waits until the panel shows an answer other than `previous` (None: any answer)."""
    WebDriverWait(d, 60, poll_frequency=0.02).until(lambda d: panel_covered(d) is not None and panel_covered(d) != previous
                               and "…" not in d.find_element("id", "status").text)
    time.sleep(0.3)


def click_at(d, x, y):
    actions = ActionBuilder(d)
    actions.pointer_action.move_to_location(int(x), int(y))
    actions.pointer_action.click()
    actions.perform()


def check_page(name, args):
    proc, port = start(args, name)
    d = new_driver()
    try:
        d.get(f"http://127.0.0.1:{port}/")
        settled(d, None)
        base = api(port, "/api/coverage", {})
        check(panel_covered(d) == base["population_covered"], f"{name}: the panel shows the API's covered population")
        # Click where the most people are uncovered: the centre of that cell of the page's grid.
        cov = api(port, "/api/coverage", {"grid": True})
        g = cov["grid"]
        cell = max(g["cells"], key=lambda c: c[5])
        lon = g["lon0"] + (cell[0] % g["cols"] + 0.5) * g["dlon"]
        lat = g["lat0"] + (cell[0] // g["cols"] + 0.5) * g["dlat"]
        d.execute_script("map.setView([arguments[0], arguments[1]], Math.max(map.getZoom(), 12));", lat, lon)
        time.sleep(0.5)
        p = d.execute_script("const p = map.latLngToContainerPoint([arguments[0], arguments[1]]); return [p.x, p.y];", lat, lon)
        before = panel_covered(d)
        click_at(d, p[0], p[1])
        settled(d, before)
        # Measured by the page itself, from the click event to the redrawn map and panel (the
        # driver's own round trips are not the page's).
        redraw = float(d.execute_script("return document.getElementById('status').dataset.redrawMs;")) / 1000
        print(f"     {name}: click to redrawn panel and map {1000 * redraw:.0f} ms")
        check(redraw <= 1.0, f"{name}: the page redraws within 1 s of a click ({redraw:.2f} s)")
        body = d.execute_script("return scenarioBody();")
        check(len(body["add"]) == 1, f"{name}: a click on the map added one site")
        after = api(port, "/api/coverage", body)
        check(panel_covered(d) == after["population_covered"], f"{name}: the panel's covered population after the click is the API's "
              f"({panel_covered(d)} and {after['population_covered']})")
        check(after["population_covered"] > base["population_covered"], f"{name}: the added site covers more people")
        check("new-1" in d.find_element("id", "changes").text, f"{name}: the change is listed")
        d.execute_script("map.fitBounds(L.latLngBounds(region.facilities.map(f => [f.lat, f.lon])).pad(0.3));")
        time.sleep(0.5)
        d.save_screenshot(os.path.join(scratch, f"{name}-added.png"))
        # Close the first facility on the network by clicking its marker.
        f = next(f for f in d.execute_script("return region.facilities;") if f["on_network"])
        p = d.execute_script("const p = map.latLngToContainerPoint([arguments[0], arguments[1]]); return [p.x, p.y];", f["lat"], f["lon"])
        before = panel_covered(d)
        click_at(d, p[0], p[1])
        WebDriverWait(d, 60).until(lambda d: d.execute_script("return scenarioBody().remove.length;") == 1)
        settled(d, None)
        body = d.execute_script("return scenarioBody();")
        check(len(body["add"]) == 1 and len(body["remove"]) == 1, f"{name}: a click on a facility closed it (no site added)")
        closed = api(port, "/api/coverage", body)
        WebDriverWait(d, 60).until(lambda d: panel_covered(d) == closed["population_covered"])
        check(panel_covered(d) == closed["population_covered"], f"{name}: the panel after closing is the API's")
        d.save_screenshot(os.path.join(scratch, f"{name}-closed.png"))
        if d.execute_script("return region.candidates;"):
            # "Propose 2 sites" from this scenario: both join it as one change; saved as A, undone, saved as B.
            d.execute_script("document.getElementById('sites').value = 2; document.getElementById('objective').value = 'max-cover';")
            before = panel_covered(d)
            d.find_element("id", "propose").click()
            WebDriverWait(d, 120).until(lambda d: d.execute_script("return scenarioBody().add.length;") == 3)
            settled(d, before)
            body = d.execute_script("return scenarioBody();")
            proposed = api(port, "/api/coverage", body)
            check(panel_covered(d) == proposed["population_covered"] >= closed["population_covered"],
                  f"{name}: after proposing 2 sites the panel is the API's and covers no fewer people")
            d.find_element("id", "save-a").click()
            d.find_element("id", "undo").click()
            WebDriverWait(d, 60).until(lambda d: panel_covered(d) == closed["population_covered"])
            check(len(d.execute_script("return scenarioBody().add;")) == 1,
                  f"{name}: one undo takes both proposed sites back (and the panel shows the scenario before them)")
            d.find_element("id", "save-b").click()
            WebDriverWait(d, 60).until(lambda d: len(d.find_elements("css selector", "#compare tr")) >= 3
                                       and "—" not in d.find_element("id", "compare").text.split("\n")[-1])
            rows = d.find_elements("css selector", "#compare tr")
            check(len(rows) == len(cov["by_admin"]) + 2, f"{name}: scenarios A and B compared per admin unit and in total")
            d.save_screenshot(os.path.join(scratch, f"{name}-compare.png"))
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        check(not errors, f"{name}: no console errors {errors}")
    finally:
        d.quit()
        proc.terminate()
        check(proc.wait(timeout=60) == 0, f"{name}: serve ends with exit 0 on SIGTERM")


check_page("sample", ["--roads", f"{sample}/roads.gpkg", "--population", f"{sample}/population.tif", "--facilities",
                      f"{sample}/facilities.gpkg", "--admin", f"{sample}/admin.gpkg", "--service", "ambulance", "--lang", "zh",
                      "--rural-limit", "10000", "--candidate-spacing", "1000"])
accra = [f"{shared}/accra-roads.gpkg", f"{shared}/accra-pop-2015.tif", f"{shared}/accra-health.gpkg"]
if shared and all(os.path.exists(p) for p in accra):
    check_page("accra", ["--roads", accra[0], "--population", accra[1], "--facilities", accra[2], "--all-facilities",
                         "--service", "community-station", "--lang", "en"])
elif os.environ.get("CI") == "true":
    check(False, "the Accra data of ../shared/data are present under CI")
else:
    print("SKIPPED: Accra data absent (../shared/data)")

# A further region for review (e.g. the prefecture-scale synthetic one): SERVE_CHECK_REGION=DIR.
extra = os.environ.get("SERVE_CHECK_REGION")
if extra:
    check_page(os.path.basename(extra.rstrip("/")), ["--roads", f"{extra}/roads.gpkg", "--population", f"{extra}/population.tif",
                                                    "--facilities", f"{extra}/facilities.gpkg", "--admin", f"{extra}/admin.gpkg",
                                                    "--service", "ambulance", "--candidate-spacing", "2000"])

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
