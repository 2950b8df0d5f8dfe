#include "usage_error.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "suggest.hpp"

namespace soma::cli {

namespace {

std::vector<const CLI::App*> subcommands_of(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* a) { return !a->get_name().empty(); });
}

std::vector<std::string> names_of(const std::vector<const CLI::App*>& apps) {
  std::vector<std::string> names;
  for (const auto* a : apps) names.push_back(a->get_name());
  return names;
}

// "soma", "soma train", "soma example titanic": how the user calls `app`.
std::string command_of(const CLI::App* app) {
  std::vector<std::string> words;
  for (; app->get_parent() != nullptr; app = app->get_parent()) words.push_back(app->get_name());
  std::string out = "soma";
  for (auto w = words.rbegin(); w != words.rend(); ++w) out += " " + *w;
  return out;
}

std::string hint(const CLI::App* app) { return " (see " + command_of(app) + " --help)"; }

// An option of `app` or of the commands above it (every soma command falls through, so
// `soma train --threads 2` is the global --threads).
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app != nullptr; app = app->get_parent())
    if (const auto* o = app->get_option_no_throw(name); o != nullptr && o->nonpositional())
      return o;
  return nullptr;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (; app != nullptr; app = app->get_parent())
    for (const auto* o : app->get_options()) {
      if (o->get_group().empty()) continue;  // hidden: a deprecated spelling (flags.hpp)
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  return names;
}

void list_subcommands(const CLI::App* app) {
  const auto subs = subcommands_of(*app);
  std::size_t width = 0;
  for (const auto* s : subs) width = std::max(width, s->get_name().size());
  const std::string heading = app->get_parent() == nullptr   ? "commands"
                              : app->get_name() == "example" ? "examples"
                                                             : "commands of " + command_of(app);
  std::fprintf(stderr, "%s:\n", heading.c_str());
  for (const auto* s : subs)
    std::fprintf(stderr, "  %-*s  %s\n", static_cast<int>(width), s->get_name().c_str(),
                 s->get_description().c_str());
}

struct Diagnosis {
  std::string message;              // empty: nothing wrong in the words themselves
  const CLI::App* where = nullptr;  // the deepest command named on the line
  bool list = false;                // also list where's sub-commands
};

// "unknown command 'trian'", "unknown example 'titnic'", "unknown command 'snn rn'",
// with the nearest names spelled the same way.
std::string unknown(const CLI::App* app, const std::string& word) {
  const auto subs = names_of(subcommands_of(*app));
  if (app->get_parent() == nullptr)
    return "unknown command '" + word + "'" + did_you_mean(word, subs);
  if (app->get_name() == "example" && app->get_parent()->get_parent() == nullptr)
    return "unknown example '" + word + "'" + did_you_mean(word, subs);
  const std::string prefix = command_of(app).substr(5) + " ";  // "snn "
  std::vector<std::string> full;
  for (const auto& s : subs) full.push_back(prefix + s);
  return "unknown command '" + prefix + word + "'" + did_you_mean(prefix + word, full);
}

// Walks the words as CLI11 does: options (with their values) of the command reached so
// far or its parents, sub-command names where a command needs one, anything else a
// positional argument of the command. Stops at the first word that cannot be right.
Diagnosis diagnose(const CLI::App& root, int argc, const char* const* argv) {
  Diagnosis d;
  d.where = &root;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") break;  // the rest is positional (soma power -- CMD)
    const bool dashed = word.size() > 1 && word[0] == '-';
    if (dashed) {
      const bool is_long = word.rfind("--", 0) == 0;
      const auto eq = word.find('=');
      const std::string name = is_long ? word.substr(0, eq) : word.substr(0, 2);
      const bool value_attached = is_long ? eq != std::string::npos : word.size() > 2;
      const CLI::Option* o = find_option(d.where, name);
      if (o == nullptr) {
        // "-3" where no option "-3" exists is a (negative) positional value.
        if (!is_long && std::isdigit(static_cast<unsigned char>(word[1]))) continue;
        d.message = "unknown option '" + name + "' for " + command_of(d.where) +
                    did_you_mean(name, option_names(d.where));
        return d;
      }
      if (o->get_type_size() == 0 || value_attached) continue;  // a flag, or --opt=value
      const int need = std::max(1, o->get_expected_min());
      if (i + need >= argc) {
        d.message = "option " + name + " needs a value";
        return d;
      }
      i += need;
      // A list option (--y0 A B ...) goes on taking words up to the next option.
      if (o->get_expected_max() > need)
        while (i + 1 < argc && argv[i + 1][0] != '-') ++i;
      continue;
    }
    const auto subs = subcommands_of(*d.where);
    const auto hit = std::find_if(subs.begin(), subs.end(),
                                  [&](const CLI::App* s) { return s->get_name() == word; });
    if (hit != subs.end()) {
      d.where = *hit;
      continue;
    }
    if (d.where->get_require_subcommand_min() > 0) {
      d.message = unknown(d.where, word);
      d.list = d.where->get_parent() != nullptr;  // the examples, say; not all commands
      return d;
    }
  }
  if (d.where->get_require_subcommand_min() > 0) {
    d.message = d.where->get_parent() == nullptr ? "no command given"
                : d.where->get_name() == "example"
                    ? "which example? soma example NAME"
                    : "which command? " + command_of(d.where) + " COMMAND";
    d.list = true;
  }
  return d;
}

// What an option's CLI11 type name asks for, in words.
std::string expected_of(const CLI::Option* o) {
  const std::string type = o->get_type_name();
  if (type == "INT") return "an integer";
  if (type == "UINT") return "an integer of at least 0";
  if (type == "FLOAT") return "a number";
  return type;
}

// CLI11's message, reworded where it reads unlike soma's. CLI11 knows how many positionals
// fit and which values would not convert; the words of its messages are its own.
std::string reworded(const CLI::ParseError& error, const CLI::App* where) {
  const std::string text = error.what();
  const std::string one = "The following argument was not expected: ",
                    several = "The following arguments were not expected: ",
                    convert = "Could not convert: ";
  if (text.rfind(one, 0) == 0) return "unexpected argument '" + text.substr(one.size()) + "'";
  if (text.rfind(several, 0) == 0) return "unexpected arguments: " + text.substr(several.size());
  // "Could not convert: --seed = abc" -> "--seed: expected an integer of at least 0, got 'abc'"
  const auto eq = text.find(" = ");
  if (text.rfind(convert, 0) == 0 && eq != std::string::npos) {
    const std::string name = text.substr(convert.size(), eq - convert.size());
    if (const CLI::Option* o = find_option(where, name))
      return name + ": expected " + expected_of(o) + ", got '" + text.substr(eq + 3) + "'";
  }
  // "--resume excludes --config"
  if (const auto at = text.find(" excludes "); at != std::string::npos)
    return text.substr(0, at) + " cannot be used with " + text.substr(at + 10);
  return text;
}

}  // namespace

int report_usage_error(const CLI::App& app, const CLI::ParseError& error, int argc,
                       const char* const* argv) {
  const Diagnosis d = diagnose(app, argc, argv);
  const std::string message = d.message.empty() ? reworded(error, d.where) : d.message;
  std::fprintf(stderr, "soma: error: %s%s\n", message.c_str(), hint(d.where).c_str());
  if (d.list) list_subcommands(d.where);
  return 2;
}

}  // namespace soma::cli
