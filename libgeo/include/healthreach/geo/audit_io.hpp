#pragma once
// Writing an audit: the GeoPackage (a styled admin layer per service, the service × unit table, the
// compliance layers, an overview layer), the JSON document and the HTML report in Chinese or English.
#include "healthreach/geo/audit.hpp"
#include "healthreach/geo/json.hpp"

#include <string>

namespace healthreach::geo {

// Layers `services` (table: every service, assessed or not), `audit` (table: service × admin unit and
// the region), `coverage_<service>` (admin units with the service's figures, one layer per assessed
// service, graduated by coverage_ratio), `audit_units` (admin units: services short, worst service,
// rules short) and, with admin units, `compliance` and `compliance_units`; written atomically.
void write_audit_gpkg(const audit_result& r, const std::string& path);

// The audit's keys, written into an open object.
void write_audit_json(const audit_result& r, json_writer& json, const std::string& version);

// One self-contained page: a one-page summary (standards met and short, by how many people and units,
// the worst units, the rules short), then each service per admin unit, the rules, what was not
// assessed and why, methods and warnings. lang: zh or en.
void write_audit_report(const audit_result& r, const std::string& lang, const std::string& version, const std::string& path);

}  // namespace healthreach::geo
