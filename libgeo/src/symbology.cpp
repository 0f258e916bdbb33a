#include "healthreach/geo/symbology.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace healthreach::geo::symbology {

std::string colour::qgis() const {
    return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + "," + std::to_string(a);
}

namespace {

constexpr colour dark{35, 35, 35, 255}, border{64, 64, 64, 255}, red{215, 25, 28, 179}, facility_blue{33, 102, 172, 255};

const std::map<std::string, style>& table() {
    static const std::map<std::string, style> t = {
        {"facilities", {facility_blue, dark, 0.2, shape::square, 3.0, "name"}},
        // The facility's own colour as a hollow outline: the same kind of site, not working.
        {"facilities_off_network", {{255, 255, 255, 255}, facility_blue, 0.6, shape::square, 3.0, "name"}},
        {"proposed_sites", {{255, 127, 0, 255}, dark, 0.2, shape::star, 4.0, "id"}},
        {"candidates", {{152, 78, 163, 255}, dark, 0.2, shape::triangle, 3.0, "id"}},
        {"service_areas", {{67, 147, 195, 72}, {41, 102, 153, 128}, 0.1, shape::none, 0, ""}},
        {"uncovered", {red, red, 0, shape::none, 0, ""}},
        {"demand_off_network", {{118, 42, 131, 255}, {118, 42, 131, 255}, 0, shape::circle, 1.4, ""}},
        {"demand_not_applicable", {{150, 150, 150, 150}, {150, 150, 150, 150}, 0, shape::circle, 0.8, ""}},
        {"admin", {{0, 0, 0, 0}, border, 0.35, shape::none, 0, ""}},
        {"demand_covered", {{26, 150, 65, 255}, {26, 150, 65, 255}, 0, shape::circle, 1.2, ""}},
        {"demand_uncovered", {{215, 25, 28, 255}, {215, 25, 28, 255}, 0, shape::circle, 1.2, ""}},
        {"newly_covered", {{33, 113, 181, 200}, {8, 69, 148, 255}, 0, shape::none, 0, ""}},
    };
    return t;
}

}  // namespace

const style& of(const std::string& layer) {
    const auto it = table().find(layer);
    if (it == table().end()) throw std::out_of_range("symbology: no style for layer " + layer);
    return it->second;
}

const colour cost_band[cost_band_count] = {{0, 104, 55, 200}, {49, 163, 84, 180}, {173, 221, 142, 170}, {255, 255, 191, 170}};

colour cost_ramp(std::size_t k, std::size_t n) {
    if (n <= 1) return cost_band[0];
    const double t = static_cast<double>(k) / (n - 1) * (cost_band_count - 1);
    const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(t), cost_band_count - 2);
    const double f = t - i;
    auto mix = [f](int x, int y) { return static_cast<int>(std::lround(x + f * (y - x))); };
    const colour &x = cost_band[i], &y = cost_band[i + 1];
    return {mix(x.r, y.r), mix(x.g, y.g), mix(x.b, y.b), mix(x.a, y.a)};
}

std::vector<double> band_edges(std::optional<double> urban, std::optional<double> rural) {
    if (urban && rural && *urban < *rural) return {*urban / 2, *urban, (*urban + *rural) / 2, *rural};
    const std::optional<double> one = urban && rural ? std::max(*urban, *rural) : urban ? urban : rural;
    if (!one) return {};
    return {*one / 3, 2 * *one / 3, *one};
}

const char* const road_classes[3][6] = {{"motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"},
                                        {"secondary", "tertiary", "secondary_link", "tertiary_link", "", ""},
                                        {"residential", "", "", "", "", ""}};

road_look road_of(const std::string& highway) {
    for (int k = 0; k < 2; ++k)
        for (const char* c : road_classes[k])
            if (*c && highway == c) return k == 0 ? road_look{{120, 120, 120, 230}, 0.55} : road_look{{150, 150, 150, 210}, 0.3};
    return {{185, 185, 185, 170}, 0.12};
}

const colour compliance_unmet[3] = {{26, 150, 65, 150}, {253, 174, 97, 150}, {215, 25, 28, 150}};
const colour paper{245, 245, 240, 255};
const colour label_text{35, 35, 35, 255};
const colour label_halo{255, 255, 255, 230};

}  // namespace healthreach::geo::symbology
