"""healthreach for QGIS: the CLI's coverage, evaluate, optimize, compliance, network and access jobs in the
Processing Toolbox."""


def classFactory(iface):
    from .plugin import HealthreachPlugin
    return HealthreachPlugin(iface)
