#pragma once
// A loaded region described for a map front end (healthreach serve): what it holds, and its roads
// and admin units as GeoJSON in WGS 84, simplified so that a prefecture stays light in a browser.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/json.hpp"

namespace healthreach::geo {

// {crs, bbox_wgs84: [w, s, e, n], services: [the standards' services], service (the loaded one), metric, limits: {urban, rural},
// facilities: [{id, name, type, x, y, lon, lat, on_network}], admin: [names]}, into an open object.
void write_region_json(const analysis& a, json_writer& j);

// A FeatureCollection: one MultiLineString per road class ({"class": name, "rank": 0 for the most
// important}), the most important classes first, each edge simplified to `tolerance` of the
// region's extent; classes are left out, least important first, once `max_vertices` is reached.
void write_roads_geojson(const analysis& a, json_writer& j, std::size_t max_vertices = 150000);

// A FeatureCollection of the admin units ({"name"}), simplified likewise; empty without units.
void write_admin_geojson(const analysis& a, json_writer& j);

}  // namespace healthreach::geo
