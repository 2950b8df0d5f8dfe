#pragma once
// How every `soma ... --help` lists options: the default at the end of the description,
// "(default: 8050)", as Python's argparse (ArgumentDefaultsHelpFormatter) and most Unix
// tools write it, rather than CLI11's "--port INT=8050", which reads like a syntax; and a
// range validator's type once ("INT 0..65535" rather than "INT:INT 0..65535").
#include <CLI/CLI.hpp>

namespace soma::cli {

class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override;
  std::string make_option_desc(const CLI::Option* opt) const override;
};

}  // namespace soma::cli
