// json_field: the CLI tests' JSON reader, so that the shell scripts check `--json` output
// with a real parser (nlohmann, already a build dependency) instead of sed, and need
// neither jq nor Python.
//
//   soma fit ... --json | json_field popt.b1        # the last line must be one JSON object
//   json_field --whole 'runs.*.rate_exc_hz' <ref.json   # the whole input is one document
//
// PATH is keys and array indices separated by dots; `*` takes every element of an array.
// Numbers print with 17 significant digits, strings bare, arrays one element a line,
// objects and null as JSON. Exit status 1, with a message, when the input is not JSON or
// the path is absent.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "json_field: " << message << "\n";
  std::exit(1);
}

void print(const json& v) {
  if (v.is_number_float()) {
    std::printf("%.17g\n", v.get<double>());
  } else if (v.is_string()) {
    std::printf("%s\n", v.get<std::string>().c_str());
  } else if (v.is_array()) {
    for (const auto& e : v) print(e);
  } else {
    std::printf("%s\n", v.dump().c_str());
  }
}

void walk(const json& v, const std::vector<std::string>& path, size_t k, const std::string& where) {
  if (k == path.size()) return print(v);
  const std::string& key = path[k];
  const std::string here = where.empty() ? key : where + "." + key;
  if (v.is_array()) {
    if (key == "*") {
      for (const auto& e : v) walk(e, path, k + 1, here);
      return;
    }
    size_t used = 0;
    size_t index = 0;
    try {
      index = std::stoul(key, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != key.size() || index >= v.size())
      fail(here + ": no such element (the array has " + std::to_string(v.size()) + ")");
    return walk(v[index], path, k + 1, here);
  }
  if (!v.is_object() || !v.contains(key)) fail(here + ": no such field in " + v.dump());
  walk(v[key], path, k + 1, here);
}

}  // namespace

int main(int argc, char** argv) {
  bool whole = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--whole")
      whole = true;
    else
      path = a;
  }
  if (path.empty()) fail("usage: json_field [--whole] PATH <input");
  const std::string input((std::istreambuf_iterator<char>(std::cin)), {});
  std::string text = input;
  if (!whole) {
    // soma's --json contract: the last line printed is one JSON object.
    size_t end = text.find_last_not_of("\n");
    if (end == std::string::npos) fail("empty input");
    const size_t newline = text.rfind('\n', end);
    const size_t begin = newline == std::string::npos ? 0 : newline + 1;
    text = text.substr(begin, end + 1 - begin);
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(std::string("not JSON (") + e.what() + "): " + text.substr(0, 200));
  }
  if (!whole && !doc.is_object()) fail("the last line is not a JSON object: " + text);
  std::vector<std::string> keys;
  size_t from = 0;
  while (true) {
    const size_t dot = path.find('.', from);
    keys.push_back(path.substr(from, dot - from));
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  walk(doc, keys, 0, "");
  return 0;
}
