"""The services of the built-in standards file, for the SERVICE parameter's list.

The executable compiles libgeo/standards/default.toml in; the same file is read here, from the first
of: beside an installed executable (<prefix>/share/healthreach/default.toml, `cmake --install`),
inside the plugin (the zip built by scripts/plugin-zip.sh), the repository the plugin is loaded from.
"""
import os
import re

try:
    import tomllib  # Python 3.11 (Debian 12)
except ImportError:  # an older Python under another QGIS: the services' table headers suffice
    tomllib = None

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


def candidate_files(executable):
    files = []
    if executable:
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(executable)))
        files.append(os.path.join(prefix, "share", "healthreach", "default.toml"))
    files.append(os.path.join(PLUGIN_DIR, "default.toml"))
    files.append(os.path.join(PLUGIN_DIR, "..", "..", "libgeo", "standards", "default.toml"))
    return files


def standards_file(executable):
    """The built-in standards file that goes with `executable`, or None when none is found."""
    for path in candidate_files(executable):
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def service_names(path):
    """The services of a standards file, in the file's order."""
    with open(path, "rb") as f:
        if tomllib:
            return list(tomllib.load(f).get("services", {}))
        return re.findall(r"^\[services\.([A-Za-z0-9_-]+)\]\s*$", f.read().decode("utf-8"), re.M)
