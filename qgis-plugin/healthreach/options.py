"""The command-line options each algorithm exposes, in one table per group of options.

A parameter is named after its long option (`--rural-limit` -> RURAL_LIMIT); its help text is the
option's, read from the executable's `--help` (cli_help.py), and an option the executable does not
have (an older build) is not offered. The CLI is the engine: every value goes to it as written, and
every check beyond the type and range of a parameter is the CLI's, with its message.
"""
from dataclasses import dataclass, field
from typing import Optional, Sequence

# Kinds of parameter; each maps to one QgsProcessingParameter type in algorithms.py.
LINES, POINTS, POLYGONS, RASTER = "lines", "points", "polygons", "raster"
FIELD, NUMBER, INTEGER, ENUM, BOOLEAN, FILE, CRS, STRING = (
    "field", "number", "integer", "enum", "boolean", "file", "crs", "string")
FILE_OUT = "file-out"      # an extra output file (QGIS project, map, report, CSV, graph cache)
RASTER_OUT = "raster-out"  # the travel-cost raster

SERVICES = "services"      # the enum's values are the standards file's services (standards.py)
POSITIVE = 1e-9            # the least value of an option the CLI wants > 0


@dataclass(frozen=True)
class Option:
    flag: str                          # the CLI's long option
    kind: str
    label: str                         # short label in the algorithm dialog
    optional: bool = True
    layer_flag: Optional[str] = None   # the option naming a layer of the file (--facilities-layer)
    parent: Optional[str] = None       # FIELD: the layer parameter holding the field
    numeric_field: bool = False
    default: object = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    values: object = ()                # ENUM: the values, or SERVICES
    file_filter: str = ""              # FILE: an extension; FILE_OUT: a Qt file filter
    advanced: bool = False
    repeated: bool = False             # STRING: ';'-separated values, each given as its own option

    @property
    def name(self):
        return self.flag.lstrip("-").upper().replace("-", "_")


# Options of the CLI that have no parameter of their own, with the reason.
HANDLED = {
    "--help": "not a run",
    "--json": "always given: the summary is SUMMARY_JSON and the result numbers",
    "--quiet": "never given: the progress and messages feed the log",
    "--urban-auto": "the default when URBAN is empty",
    "--out": "OUTPUT",
    "--partition": "for regions too large for one run (the same outputs as a whole run): the command line or healthreach-mpi",
    "--partition-layer": "with --partition",
}
# Options naming a layer of an input file: the plugin gives them from the layer QGIS has open.
LAYER_FLAGS = {"--roads-layer", "--facilities-layer", "--candidates-layer", "--admin-layer",
               "--urban-layer", "--villages-layer"}

OBJECTIVES = ("cover-all", "max-cover", "min-distance", "min-max", "backup", "expected", "sub-centres")

ROADS = [
    Option("--roads", LINES, "Road lines", optional=False, layer_flag="--roads-layer"),
    Option("--profile", ENUM, "Travel profile", values=("drive", "walk")),
    Option("--class-field", FIELD, "Road class field", parent="ROADS", advanced=True),
    Option("--speed-field", FIELD, "Speed field (km/h)", parent="ROADS", advanced=True),
    Option("--oneway-field", FIELD, "One-way field", parent="ROADS", advanced=True),
    Option("--junctions", ENUM, "Junctions", values=("shared", "endpoints"), default="shared", advanced=True),
    Option("--junction-tolerance", NUMBER, "Junction tolerance (m)", default=0, minimum=0, advanced=True),
    Option("--dem", RASTER, "Elevation (DEM)", advanced=True),
    Option("--closures", POLYGONS, "Closed areas", advanced=True),
    Option("--speed-factors", POLYGONS, "Speed factor areas (field factor)", advanced=True),
    Option("--clip", POLYGONS, "Read only the roads around", advanced=True),
    Option("--clip-buffer", NUMBER, "Clip buffer (m)", minimum=0, advanced=True),
]
GRAPH = [
    Option("--crs", CRS, "Metric CRS of the run", advanced=True),
    Option("--graph-cache", FILE_OUT, "Graph cache", file_filter="healthreach graph cache (*.graph);;All files (*)",
           advanced=True),
]
THREADS_SNAP = [
    Option("--threads", INTEGER, "Worker threads", default=0, minimum=0, advanced=True),
    Option("--snap-limit", NUMBER, "Snap limit (m)", default=1000, minimum=0, advanced=True),
]
STANDARDS = Option("--standards", FILE, "Standards file", file_filter="toml")
ID_NAME = [
    Option("--id-field", FIELD, "Id field", parent="FACILITIES", advanced=True),
    Option("--name-field", FIELD, "Name field", parent="FACILITIES", advanced=True),
    Option("--type-field", FIELD, "Type field", parent="FACILITIES", advanced=True),
    Option("--type-map", STRING, "Type map (Hospital=ambulance-station,...)", advanced=True),
    # Point tables (CSV, XLSX) and the coordinates they hold.
    Option("--lon-field", STRING, "Longitude column of a table", advanced=True),
    Option("--lat-field", STRING, "Latitude column of a table", advanced=True),
    Option("--points-crs", CRS, "CRS of a table's x/y columns", advanced=True),
    Option("--coords", ENUM, "Lon/lat from a Chinese web map", values=("wgs84", "gcj02", "bd09"), advanced=True),
]


def analysis(facilities_required):
    """The options of coverage, shared by evaluate and optimize (add_analysis_options in tools/cli.cpp)."""
    return ROADS + [
        Option("--population", RASTER, "Population raster", optional=False),
        Option("--facilities", POINTS, "Existing facilities", optional=not facilities_required,
               layer_flag="--facilities-layer"),
        Option("--service", ENUM, "Service", optional=False, values=SERVICES),
        STANDARDS,
        Option("--rural-limit", NUMBER, "Rural limit (metres or seconds)", minimum=POSITIVE),
        Option("--urban", POLYGONS, "Urban areas", layer_flag="--urban-layer"),
        Option("--admin", POLYGONS, "Admin units", layer_flag="--admin-layer"),
        Option("--admin-field", FIELD, "Admin name field", parent="ADMIN"),
        Option("--demand-cell", NUMBER, "Demand cell (m)", minimum=0, advanced=True),
        Option("--demand-points", ENUM, "Demand points layer", values=("auto", "always", "never"), default="auto",
               advanced=True),
        Option("--delay-field", FIELD, "Start delay field (minutes)", parent="FACILITIES", numeric_field=True,
               advanced=True),
        Option("--capacity-field", FIELD, "Capacity field", parent="FACILITIES", numeric_field=True, advanced=True),
        *ID_NAME,
        Option("--all-facilities", BOOLEAN, "Use every facility", default=False),
    ] + GRAPH + THREADS_SNAP + [
        Option("--travel-raster", RASTER_OUT, "Travel cost raster"),
    ]


PRESENTATION = [
    Option("--qgis-project", FILE_OUT, "QGIS project", file_filter="QGIS project (*.qgz)"),
    Option("--map", FILE_OUT, "Map", file_filter="PNG (*.png);;PDF (*.pdf)"),
    Option("--map-size", ENUM, "Paper of the map",
           values=("a4-landscape", "a4-portrait", "a3-landscape", "a3-portrait")),
    Option("--report", FILE_OUT, "Report", file_filter="HTML (*.html)"),
    Option("--admin-table", FILE_OUT, "Per-admin table (CSV)", file_filter="CSV (*.csv)"),
    Option("--lang", ENUM, "Language of map and report", values=("zh", "en"), default="zh"),
]

COVERAGE = analysis(True) + [
    Option("--bands", STRING, "Cost bands (ascending, metres or seconds: 2500,5000,10000)"),
    Option("--population-group", STRING, "Population groups (NAME=RASTER; several separated by ';')", repeated=True),
] + PRESENTATION

EVALUATE = analysis(True) + [
    Option("--candidates", POINTS, "Candidate sites", optional=False, layer_flag="--candidates-layer"),
    Option("--scenario", POINTS, "Scenario facilities"),
] + PRESENTATION

OPTIMIZE = analysis(False) + [
    Option("--candidates", POINTS, "Candidate sites", layer_flag="--candidates-layer"),
    Option("--candidate-spacing", NUMBER, "Candidate spacing (m)", minimum=POSITIVE),
    Option("--cost-field", FIELD, "Site cost field (cover-all)", parent="CANDIDATES", numeric_field=True, advanced=True),
    Option("--objective", ENUM, "Objective", optional=False, values=OBJECTIVES, default="max-cover"),
    Option("--sites", INTEGER, "New sites", minimum=0),
    Option("--target", NUMBER, "Target share (cover-all)", minimum=0, maximum=1, advanced=True),
    Option("--vehicles", INTEGER, "Vehicles (expected)", minimum=0, advanced=True),
    Option("--busy-fraction", NUMBER, "Busy fraction (expected)", minimum=0, maximum=1, advanced=True),
    Option("--min-distance-from", POINTS, "Keep away from (sub-centres: county hospitals)", advanced=True),
    Option("--exact", BOOLEAN, "Exact (CBC)", default=False, advanced=True),
    Option("--heuristic", BOOLEAN, "Heuristic only", default=False, advanced=True),
    Option("--time-limit", NUMBER, "Time limit (s)", minimum=POSITIVE, advanced=True),
] + PRESENTATION

ACCESS = analysis(True) + [
    Option("--supply-field", FIELD, "Supply field (default 1 per facility)", parent="FACILITIES", numeric_field=True),
    Option("--decay", ENUM, "Distance decay", values=("gaussian", "step"), default="gaussian"),
    Option("--access-raster", RASTER_OUT, "Accessibility score raster"),
] + PRESENTATION

COMPLIANCE = [
    Option("--population", RASTER, "Population raster", optional=False),
    Option("--facilities", POINTS, "Facilities", optional=False, layer_flag="--facilities-layer"),
    Option("--admin", POLYGONS, "Admin units (counties)", optional=False, layer_flag="--admin-layer"),
    Option("--admin-field", FIELD, "Admin name field", parent="ADMIN"),
    Option("--townships-layer", STRING, "Townships layer of the admin file", advanced=True),
    Option("--villages", POINTS, "Villages", layer_flag="--villages-layer"),
    Option("--urban", POLYGONS, "Urban areas"),
    STANDARDS,
    Option("--crs", CRS, "Metric CRS", advanced=True),
    *ID_NAME,
    Option("--csv", FILE_OUT, "CSV of the rules", file_filter="CSV (*.csv)"),
] + PRESENTATION

NETWORK = ROADS + [STANDARDS] + GRAPH

# Every service at once: each runs on its own profile, so there is no PROFILE; the report in
# Chinese, English or both (R.html and R.en.html).
AUDIT = [o for o in ROADS if o.flag != "--profile"] + [
    Option("--population", RASTER, "Population raster", optional=False),
    Option("--facilities", POINTS, "Facilities (with a type field)", optional=False, layer_flag="--facilities-layer"),
    STANDARDS,
    Option("--urban", POLYGONS, "Urban areas", layer_flag="--urban-layer"),
    Option("--admin", POLYGONS, "Admin units (counties)", layer_flag="--admin-layer"),
    Option("--admin-field", FIELD, "Admin name field", parent="ADMIN"),
    Option("--townships-layer", STRING, "Townships layer of the admin file", advanced=True),
    Option("--villages", POINTS, "Villages", layer_flag="--villages-layer"),
    Option("--demand-cell", NUMBER, "Demand cell (m)", minimum=0, advanced=True),
    *ID_NAME,
] + GRAPH + THREADS_SNAP + [
    Option("--report", FILE_OUT, "Report", file_filter="HTML (*.html)"),
    Option("--lang", ENUM, "Language of the report", values=("zh", "en", "both"), default="zh"),
]


@dataclass(frozen=True)
class Command:
    name: str                # the sub-command, also the algorithm's id
    display: str
    options: Sequence[Option]
    results: Sequence[str] = field(default_factory=tuple)  # JSON numbers given as result outputs
    progress: bool = True    # the CLI draws a progress bar
    json: bool = True        # the CLI prints a JSON summary with --json


COVERAGE_RESULTS = ("population_total", "population_covered", "population_uncovered", "population_off_network",
                    "population_not_applicable", "coverage_ratio")
COMMANDS = [
    Command("coverage", "Coverage", COVERAGE, COVERAGE_RESULTS),
    Command("evaluate", "Evaluate candidate sites", EVALUATE, COVERAGE_RESULTS),
    Command("optimize", "Optimize new sites", OPTIMIZE,
            ("population_total", "population_covered", "population_covered_existing", "population_coverable",
             "objective", "bound", "gap")),
    Command("compliance", "Compliance with the plans' rules", COMPLIANCE,
            ("counts.meets", "counts.short", "counts.cannot-check"), progress=False),
    Command("network", "Routable network", NETWORK, progress=False, json=False),
    Command("access", "Accessibility score (2SFCA)", ACCESS,
            ("population_total", "access.access_mean", "access.share_below_half_mean", "access.population_no_access")),
    Command("audit", "Whole-plan audit (every service and rule)", AUDIT,
            ("services_assessed", "services_meet", "services_short", "services_not_assessed")),
]


def result_name(key):
    """The output's name for a JSON key: population_total -> POPULATION_TOTAL, counts.meets -> RULES_MEETS,
    access.access_mean -> ACCESS_MEAN."""
    if key.startswith("access."):
        key = key[len("access."):]
    if key.startswith("counts."):
        key = "rules_" + key[len("counts."):]
    if key == "objective":
        key = "objective_value"
    return key.upper().replace("-", "_")
