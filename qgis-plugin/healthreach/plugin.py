"""The plugin: registers the Processing provider (headless too, through initProcessing)."""
from qgis.core import QgsApplication

from .provider import HealthreachProvider


class HealthreachPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        if self.provider is not None:  # qgis_process calls this alone, the desktop through initGui
            return
        self.provider = HealthreachProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
