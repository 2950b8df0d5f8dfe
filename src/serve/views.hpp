#pragma once
// The JSON behind the dashboard's spike-raster and embedding views, read once from CSV
// files when the dashboard is made (bad files are soma::Error naming file and position).
#include <filesystem>
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

}  // namespace soma::serve::detail
