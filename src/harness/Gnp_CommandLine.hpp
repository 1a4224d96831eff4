#ifndef GNP_COMMANDLINE_HPP
#define GNP_COMMANDLINE_HPP

#include <Teuchos_CommandLineProcessor.hpp>

#include <string>

namespace Gnp {

/// Teuchos' command-line parser with the programs' conventions: an unknown
/// option or a value of the wrong type is an input error with one clean line
/// (std::invalid_argument, no source location), numbers that need more than a
/// type check are taken as text and parsed strictly (parseInteger, parseReal),
/// and --help prints the usage.
class CommandLine {
public:
  /// `usage` is the text --help prints first.
  explicit CommandLine(const std::string& usage);

  /// The parser, to declare options on.
  Teuchos::CommandLineProcessor& options() { return clp_; }

  /// Parses the arguments; false if --help was asked for (its text printed when
  /// `print`). Throws std::invalid_argument for anything it cannot take.
  bool parse(int argc, char* argv[], bool print = true);

private:
  Teuchos::CommandLineProcessor clp_;
};

} // namespace Gnp

#endif
