#pragma once
// Which run directory `soma predict --model X` means: a run directory, the model.soma in
// one, or `latest`, the newest complete run under --runs (as `tensorboard --logdir` users
// expect the newest run to be one word away). A directory that is not a run gets
// "not a run directory: X" with what would have been one, rather than "X/config.toml:
// cannot open".
#include <filesystem>
#include <string>

namespace soma::cli {

// The run directory `model` names; throws soma::Error saying why it is not one.
std::filesystem::path resolve_run(const std::string& model, const std::filesystem::path& runs);

// The newest complete run under `runs` by the time in its name (stem-YYYYMMDD-HHMMSS-N, as
// `soma train` names runs; then N, then the name); throws soma::Error when there is none.
std::filesystem::path latest_run(const std::filesystem::path& runs);

}  // namespace soma::cli
