#pragma once
// Writing a compliance report: GeoPackage (table `compliance`, layer `compliance_units`), CSV, JSON.
#include "healthreach/geo/compliance.hpp"
#include "healthreach/geo/json.hpp"

#include <gdal_priv.h>

#include <string>

namespace healthreach::geo {

void write_compliance_gpkg(const compliance_report& rep, const std::string& path);
// The table `compliance` and the layer `compliance_units` (styled), into an open dataset.
void write_compliance_layers(const compliance_report& rep, GDALDataset& ds);
void write_compliance_csv(const compliance_report& rep, const std::string& path);
void write_compliance_json(const compliance_report& rep, json_writer& json);

}  // namespace healthreach::geo
