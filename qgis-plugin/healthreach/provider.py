"""The Processing provider `healthreach`: one algorithm per sub-command of the CLI."""
import os

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from processing.core.ProcessingConfig import ProcessingConfig, Setting

from . import cli_help, options, runner, standards
from .algorithms import HealthreachAlgorithm


def executable():
    return runner.find_executable(ProcessingConfig.getSetting(runner.EXECUTABLE_SETTING))


class HealthreachProvider(QgsProcessingProvider):
    def id(self):
        return "healthreach"

    def name(self):
        return "healthreach"

    def longName(self):
        return "healthreach: reach of health services, coverage and siting"

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(__file__), "icon.svg"))

    def load(self):
        ProcessingConfig.settingIcons[self.name()] = self.icon()
        ProcessingConfig.addSetting(Setting(
            self.name(), runner.EXECUTABLE_SETTING, "healthreach executable (empty: healthreach on PATH)", "",
            valuetype=Setting.FILE))
        ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        ProcessingConfig.removeSetting(runner.EXECUTABLE_SETTING)

    def loadAlgorithms(self):
        exe = executable()
        toml = standards.standards_file(exe)
        services = standards.service_names(toml) if toml else []
        if not services:
            QgsMessageLog.logMessage("healthreach: no built-in standards file found (looked for "
                                     + ", ".join(standards.candidate_files(exe)) + "); SERVICE lists nothing",
                                     "Processing", Qgis.Warning)
        for command in options.COMMANDS:
            cli = cli_help.read(exe, command.name)
            if cli is not None:
                missing = [o.flag for o in command.options if o.flag not in cli.options]
                if missing:
                    QgsMessageLog.logMessage(f"healthreach: {exe} {command.name} has no {', '.join(missing)} "
                                             "(an older build): not offered", "Processing", Qgis.Info)
            self.addAlgorithm(HealthreachAlgorithm(command, services, executable, cli))

    def supportedOutputRasterLayerExtensions(self):
        return ["tif"]  # the CLI writes GeoTIFF only

    def defaultRasterFileExtension(self):
        return "tif"

    def supportsNonFileBasedOutput(self):
        return False
