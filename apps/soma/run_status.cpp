#include "run_status.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::cli {
namespace fs = std::filesystem;

fs::path create_run_directory(const fs::path& runs, const std::string& stem) {
  std::error_code ec;
  fs::create_directories(runs, ec);
  if (ec)
    throw Error("--runs " + runs.string() + ": cannot create the directory: " + ec.message() +
                " (expected a directory where runs can be written)");
  fs::path dir;
  try {
    dir = create_unique_directory(runs, stem);
  } catch (const Error& e) {
    throw Error("--runs " + runs.string() + ": cannot create a run directory: " + e.what());
  }
  // mkdir alone does not prove that files can be written (a full disk, a quota): the
  // first status file does, before any time is spent on training.
  try {
    write_run_status(dir, "running", nlohmann::json::object());
  } catch (const Error& e) {
    fs::remove(dir, ec);
    throw Error("--runs " + runs.string() + ": cannot write in the run directory: " + e.what());
  }
  return dir;
}

void write_run_status(const fs::path& dir, const std::string& state, nlohmann::json fields) {
  fields["status"] = state;
  write_file_atomic(dir / "status.json", fields.dump(2) + "\n");
}

nlohmann::json read_run_status(const fs::path& dir) {
  const fs::path path = dir / "status.json";
  if (!fs::exists(path)) return nlohmann::json::object();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("status") || !j["status"].is_string())
    throw Error(path.string() + ": expected an object with a \"status\" string");
  return j;
}

void require_complete_run(const fs::path& dir) {
  const nlohmann::json s = read_run_status(dir);
  if (s.empty()) return;  // written before runs had a status: complete by construction
  const std::string state = s["status"].get<std::string>();
  if (state == "complete") return;
  std::string why;
  if (state == "running")
    why = "it is still training, or its process was killed before it finished";
  else if (state == "interrupted")
    why = "it was interrupted";
  else if (state == "incomplete")
    why = "writing it failed" + (s.contains("error") && s["error"].is_string()
                                     ? ": " + s["error"].get<std::string>()
                                     : std::string());
  else
    why = "unknown status";
  const std::string resume = state == "incomplete" && !fs::exists(dir / "checkpoint.soma")
                                 ? ""
                                 : "; finish it with `soma train --resume " + dir.string() + "`";
  throw Error(dir.string() + ": the run is not complete (status.json: \"" + state + "\": " + why +
              ")" + resume);
}

RunLock::RunLock(const fs::path& dir) {
  const fs::path path = dir / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path.string() + ": cannot open the run's lock: " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Error(dir.string() + ": another soma train is running this run (it holds " +
                  path.string() + ")");
    throw Error(path.string() + ": cannot lock: " + std::strerror(err));
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace soma::cli
