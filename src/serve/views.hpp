#pragma once
// The JSON behind the dashboard's spike-raster and embedding views, read once from CSV
// files when the dashboard is made (bad files are soma::Error naming file and position).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace soma::serve::detail {

// A spike monitor's output, columns i (neuron, integer >= 0) and t (seconds), as
// `soma snn run` and `soma example coba --plot` write it:
// {"path", "rows", "i": [...], "t": [...], "neurons", "t_max"}; {"path": null} for none.
std::string spikes_json(const std::filesystem::path& csv);

// A 2-D embedding, columns x and y and optionally label, as `soma tsne` and
// `soma example tsne` write it: {"path", "rows", "x", "y", "labels": [text...] or null,
// "classes": [...]} with the classes in numeric order when the labels are numbers.
std::string embedding_json(const std::filesystem::path& csv);

// The JSON text sent to the page. A CSV's text (or its path) need not be UTF-8, which
// JSON must be: bytes that are not UTF-8 are shown as U+FFFD, as a browser shows them
// in a page, rather than refusing the whole file (json::dump would throw).
std::string page_json(const nlohmann::json& j);

}  // namespace soma::serve::detail
