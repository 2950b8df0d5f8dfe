#include "help_format.hpp"

#include <sstream>

namespace soma::cli {

namespace {

// "INT:INT 0..65535" (CLI11 joins the type and the validator's description) as
// "INT 0..65535", and "FLOAT:FLOAT" as "FLOAT".
std::string type_of(const CLI::Option* opt) {
  std::string type = opt->get_type_name();
  const auto colon = type.find(':');
  if (colon == std::string::npos) return type;
  const std::string base = type.substr(0, colon), rest = type.substr(colon + 1);
  if (rest == base || rest.rfind(base + " ", 0) == 0) return rest;
  return type;
}

}  // namespace

// CLI11's own make_option_opts without the "=DEFAULT" (make_option_desc shows it).
std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  std::ostringstream out;
  if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
  if (opt->get_type_size() != 0) {
    if (!opt->get_type_name().empty()) out << " " << get_label(type_of(opt));
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size)
      out << " ...";
    else if (opt->get_expected_min() > 1)
      out << " x " << opt->get_expected();
    if (opt->get_required()) out << " " << get_label("REQUIRED");
  }
  if (!opt->get_envname().empty())
    out << " (" << get_label("Env") << ":" << opt->get_envname() << ")";
  if (!opt->get_needs().empty()) {
    out << " " << get_label("Needs") << ":";
    for (const CLI::Option* o : opt->get_needs()) out << " " << o->get_name();
  }
  if (!opt->get_excludes().empty()) {
    out << " " << get_label("Excludes") << ":";
    for (const CLI::Option* o : opt->get_excludes()) out << " " << o->get_name();
  }
  return out.str();
}

std::string HelpFormatter::make_option_desc(const CLI::Option* opt) const {
  std::string desc = opt->get_description();
  // A description that already says its default ("(default: all cores)") keeps its words.
  if (opt->get_type_size() != 0 && !opt->get_default_str().empty() &&
      desc.find("(default") == std::string::npos)
    desc += (desc.empty() ? "(default: " : " (default: ") + opt->get_default_str() + ")";
  return desc;
}

}  // namespace soma::cli
