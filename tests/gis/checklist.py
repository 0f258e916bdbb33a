"""Shared by the GIS tests run through Python: a list of named checks, and the skip rule for a
missing tool (a visible skip outside CI, a failure under CI=true)."""
import os
import sys

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def missing_tool(what):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {what} missing under CI")
        sys.exit(1)
    print(f"SKIPPED: {what} not installed; install it to run this test")
    sys.exit(77)
