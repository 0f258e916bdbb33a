#pragma once
// The workbench page and the Leaflet files it uses, compiled into the executable (web/embed.cmake).
#include <cstddef>
#include <vector>

namespace healthreach::cli {

struct web_asset {
    const char* url;           // "/", "/app.js", "/leaflet/leaflet.js", ...
    const char* content_type;
    const char* data;
    std::size_t size;
};

const std::vector<web_asset>& web_assets();

}  // namespace healthreach::cli
