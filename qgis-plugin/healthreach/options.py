"""The command-line options each algorithm exposes, in one table per group of options.

A parameter is named after its long option (`--rural-limit` -> RURAL_LIMIT) and carries the
option's help text. The CLI is the engine: every value goes to it as written, and every check
beyond the type and range of a parameter is the CLI's, with its message.
"""
from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

# Kinds of parameter; each maps to one QgsProcessingParameter type in algorithms.py.
LINES, POINTS, POLYGONS, RASTER = "lines", "points", "polygons", "raster"
FIELD, NUMBER, INTEGER, ENUM, BOOLEAN, FILE, CRS, STRING = (
    "field", "number", "integer", "enum", "boolean", "file", "crs", "string")
FILE_OUT = "file-out"      # an extra output file (QGIS project, map, report, CSV, graph cache)
RASTER_OUT = "raster-out"  # the travel-cost raster

SERVICES = "services"      # the enum's values are the standards file's services (standards.py)


@dataclass(frozen=True)
class Option:
    flag: str                          # the CLI's long option
    kind: str
    label: str                         # short label in the algorithm dialog
    help: str                          # the CLI's help text
    optional: bool = True
    layer_flag: Optional[str] = None   # the option naming a layer of the file (--facilities-layer)
    parent: Optional[str] = None       # FIELD: the layer parameter holding the field
    numeric_field: bool = False
    default: object = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    values: object = ()                # ENUM: the values, or SERVICES
    file_filter: str = ""              # FILE, FILE_OUT: a Qt file filter
    advanced: bool = False

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
}
# Options naming a layer of an input file: the plugin gives them from the layer QGIS has open.
LAYER_FLAGS = {"--roads-layer", "--facilities-layer", "--candidates-layer", "--admin-layer",
               "--urban-layer", "--villages-layer"}

OBJECTIVES = ("cover-all", "max-cover", "min-distance", "min-max", "backup", "expected", "sub-centres")

POINTS_HELP = "OGR point layer or CSV with lon/lat"

ROADS = [
    Option("--roads", LINES, "Road lines", "Road lines: .osm.pbf/.osm or any OGR line layer", optional=False,
           layer_flag="--roads-layer"),
    Option("--profile", ENUM, "Travel profile", "Travel profile: drive or walk (analyses: default the service's)",
           values=("drive", "walk")),
    Option("--class-field", FIELD, "Road class field", "Road class field (default highway)", parent="ROADS",
           advanced=True),
    Option("--speed-field", FIELD, "Speed field (km/h)", "Speed field in km/h (default maxspeed)", parent="ROADS",
           advanced=True),
    Option("--oneway-field", FIELD, "One-way field", "One-way field (default oneway)", parent="ROADS",
           advanced=True),
    Option("--junctions", ENUM, "Junctions",
           "shared: lines meet at every shared vertex (default); endpoints: only at their ends",
           values=("shared", "endpoints"), default="shared", advanced=True),
    Option("--junction-tolerance", NUMBER, "Junction tolerance (m)",
           "Vertices closer than this many metres are one junction (default 0: exact)", default=0, minimum=0,
           advanced=True),
]

GRAPH = [
    Option("--crs", CRS, "Metric CRS of the run",
           "Metric CRS of the run (EPSG:XXXX); default: the UTM zone of the data's centre", advanced=True),
    Option("--graph-cache", FILE_OUT, "Graph cache",
           "Keep the built graph in this file and reuse it while the roads, profile and road options are unchanged",
           file_filter="healthreach graph cache (*.graph);;All files (*)", advanced=True),
]

THREADS_SNAP = [
    Option("--threads", INTEGER, "Worker threads", "Worker threads (default: all cores; at most 4 per core)",
           default=0, minimum=0, advanced=True),
    Option("--snap-limit", NUMBER, "Snap limit (m)", "Largest snap distance in metres (default 1000)", default=1000,
           minimum=0, advanced=True),
]

STANDARDS = Option("--standards", FILE, "Standards file", "TOML file overriding the built-in standards",
                   file_filter="toml")
ID_NAME = [
    Option("--id-field", FIELD, "Id field", "Point id field (default id; else the feature id)", parent="FACILITIES",
           advanced=True),
    Option("--name-field", FIELD, "Name field", "Point name field (default name)", parent="FACILITIES",
           advanced=True),
]


def facilities(required):
    return Option("--facilities", POINTS, "Existing facilities", "Existing facilities: " + POINTS_HELP,
                  optional=not required, layer_flag="--facilities-layer")


def analysis(facilities_required):
    """The options of coverage, shared by evaluate and optimize (add_analysis_options in tools/cli.cpp)."""
    return ROADS + [
        Option("--population", RASTER, "Population raster", "Population raster: people per cell, any CRS",
               optional=False),
        facilities(facilities_required),
        Option("--service", ENUM, "Service", "Service of the standards file (ambulance, community-station, ...)",
               optional=False, values=SERVICES),
        STANDARDS,
        Option("--rural-limit", NUMBER, "Rural limit", "Rural limit in the service's unit (metres or seconds)",
               minimum=1e-9),
        Option("--urban", POLYGONS, "Urban areas", "Urban-area polygons (default: Degree of Urbanisation)",
               layer_flag="--urban-layer"),
        Option("--admin", POLYGONS, "Admin units", "Admin-unit polygons for per-unit summaries",
               layer_flag="--admin-layer"),
        Option("--admin-field", FIELD, "Admin name field", "Name field of the admin units (default name)",
               parent="ADMIN"),
        Option("--demand-cell", NUMBER, "Demand cell (m)", "Aggregate demand to cells of this size in metres",
               minimum=0, advanced=True),
        Option("--delay-field", FIELD, "Start delay field (minutes)",
               "Facility field: start delay in minutes (time metrics)", parent="FACILITIES", numeric_field=True,
               advanced=True),
        Option("--capacity-field", FIELD, "Capacity field", "Facility field: people a facility can serve",
               parent="FACILITIES", numeric_field=True, advanced=True),
        *ID_NAME,
        Option("--all-facilities", BOOLEAN, "Use every facility",
               "Use every facility, whatever its type", default=False),
    ] + GRAPH + THREADS_SNAP + [
        Option("--travel-raster", RASTER_OUT, "Travel cost raster",
               "GeoTIFF of cost to the nearest facility on the population grid"),
    ]


PRESENTATION = [
    Option("--qgis-project", FILE_OUT, "QGIS project", "Also write a QGIS project (.qgz) showing the output layers",
           file_filter="QGIS project (*.qgz)"),
    Option("--map", FILE_OUT, "Map", "Also write an A4 map: .png (150 dpi) or .pdf",
           file_filter="PNG (*.png);;PDF (*.pdf)"),
    Option("--report", FILE_OUT, "Report", "Also write a self-contained HTML report", file_filter="HTML (*.html)"),
    Option("--lang", ENUM, "Language of map and report", "Language of the map and report: zh (default) or en",
           values=("zh", "en"), default="zh"),
]

CANDIDATES_HELP = "Candidate sites: " + POINTS_HELP

EVALUATE = analysis(True) + [
    Option("--candidates", POINTS, "Candidate sites", CANDIDATES_HELP, optional=False,
           layer_flag="--candidates-layer"),
    Option("--scenario", POINTS, "Scenario facilities",
           "A second facilities layer: existing against existing plus it, per admin unit"),
] + PRESENTATION

OPTIMIZE = analysis(False) + [
    Option("--candidates", POINTS, "Candidate sites", CANDIDATES_HELP, layer_flag="--candidates-layer"),
    Option("--candidate-spacing", NUMBER, "Candidate spacing (m)",
           "Candidates: network nodes every M metres in and near populated areas", minimum=1e-9),
    Option("--objective", ENUM, "Objective",
           "cover-all | max-cover | min-distance | min-max | backup | expected | sub-centres", optional=False,
           values=OBJECTIVES, default="max-cover"),
    Option("--sites", INTEGER, "New sites",
           "New sites (max-cover, backup, min-distance, min-max; sub-centres: instead of the share)", minimum=0),
    Option("--target", NUMBER, "Target share", "cover-all: fraction of the coverable population (default 1)",
           minimum=0, maximum=1, advanced=True),
    Option("--vehicles", INTEGER, "Vehicles", "expected: new vehicles to place (candidates or existing stations)",
           minimum=0, advanced=True),
    Option("--busy-fraction", NUMBER, "Busy fraction",
           "expected: probability that a vehicle is busy (default 0.3)", minimum=0, maximum=1, advanced=True),
    Option("--min-distance-from", POINTS, "Keep away from (county hospitals)",
           "sub-centres: county hospitals; no sub-centre within, and no credit for people within, their limit",
           advanced=True),
    Option("--exact", BOOLEAN, "Exact (CBC)", "Solve the MILP with CBC (always under --time-limit)", default=False,
           advanced=True),
    Option("--heuristic", BOOLEAN, "Heuristic only",
           "Greedy and local search only, never the MILP (for comparisons)", default=False, advanced=True),
    Option("--time-limit", NUMBER, "Time limit (s)", "Seconds for an exact solve (default 60)", minimum=1e-9,
           advanced=True),
] + PRESENTATION

COVERAGE = analysis(True) + PRESENTATION

COMPLIANCE = [
    Option("--population", RASTER, "Population raster", "Population raster", optional=False),
    Option("--facilities", POINTS, "Facilities", "Facilities with a type field", optional=False,
           layer_flag="--facilities-layer"),
    Option("--admin", POLYGONS, "Admin units (counties)",
           "Admin units (counties; townships in its `townships` layer)", optional=False, layer_flag="--admin-layer"),
    Option("--admin-field", FIELD, "Admin name field", "Unit name field (default name)", parent="ADMIN"),
    Option("--townships-layer", STRING, "Townships layer of the admin file",
           "Township-level layer of --admin (default townships)", advanced=True),
    Option("--villages", POINTS, "Villages", "Villages: points or polygons with a population field",
           layer_flag="--villages-layer"),
    Option("--urban", POLYGONS, "Urban areas", "Urban-area polygons (default: Degree of Urbanisation)"),
    STANDARDS,
    Option("--crs", CRS, "Metric CRS", "Metric CRS (default: the UTM zone of the admin units' centre)",
           advanced=True),
    Option("--id-field", FIELD, "Id field", "Facility id field (default id)", parent="FACILITIES", advanced=True),
    Option("--name-field", FIELD, "Name field", "Facility name field (default name)", parent="FACILITIES",
           advanced=True),
    Option("--csv", FILE_OUT, "CSV of the rules", "Also write the rows as CSV (default: beside --out, same name, .csv)",
           file_filter="CSV (*.csv)"),
] + PRESENTATION

NETWORK = ROADS + [
    replace(STANDARDS, help="TOML file overriding the built-in standards (its drive and walk profiles)"),
] + GRAPH


@dataclass(frozen=True)
class Command:
    name: str                # the sub-command, also the algorithm's id
    display: str
    options: Sequence[Option]
    summary: str             # the CLI's description of the sub-command
    results: Sequence[str] = field(default_factory=tuple)  # JSON numbers given as result outputs
    progress: bool = True    # the CLI draws a progress bar
    json: bool = True        # the CLI prints a JSON summary with --json


COVERAGE_RESULTS = ("population_total", "population_covered", "population_uncovered", "population_off_network",
                    "population_not_applicable", "coverage_ratio")
COMMANDS = [
    Command("coverage", "Coverage", COVERAGE, "Who reaches each service within the plan's standard",
            COVERAGE_RESULTS),
    Command("evaluate", "Evaluate candidate sites", EVALUATE,
            "What each candidate site adds over the existing facilities", COVERAGE_RESULTS),
    Command("optimize", "Optimize new sites", OPTIMIZE,
            "Propose new sites: cover-all or max-cover (existing facilities stay open)",
            ("population_total", "population_covered", "population_covered_existing", "population_coverable",
             "objective", "bound", "gap")),
    Command("compliance", "Compliance with the plans' rules", COMPLIANCE,
            "Check the plans' count and ratio rules per admin unit", ("counts.meets", "counts.short",
                                                                     "counts.cannot-check"), progress=False),
    Command("network", "Routable network", NETWORK,
            "Build the routable graph of a road file (layers edges, nodes)", progress=False, json=False),
]


def result_name(key):
    """The output's name for a JSON key: population_total -> POPULATION_TOTAL, counts.meets -> RULES_MEETS."""
    if key.startswith("counts."):
        key = "rules_" + key[len("counts."):]
    if key == "objective":
        key = "objective_value"
    return key.upper().replace("-", "_")
