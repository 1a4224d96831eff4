#include "Gnp_CommandLine.hpp"

#include "Gnp_Errors.hpp"

#include <iostream>
#include <sstream>
#include <stdexcept>

namespace Gnp {

CommandLine::CommandLine(const std::string& usage) : clp_(false, true) { clp_.setDocString(usage.c_str()); }

bool CommandLine::parse(int argc, char* argv[], bool print) {
  std::ostringstream said; // Teuchos' own complaint names the option: "... the 1st option '--x' was not recognized"
  Teuchos::CommandLineProcessor::EParseCommandLineReturn parsed;
  try {
    parsed = clp_.parse(argc, argv, &said);
  } catch (const std::exception& e) { // a value Teuchos cannot convert to the option's type
    throw std::invalid_argument("an option's value has the wrong type (see --help): " +
                                withoutSourceLocation(e.what()));
  }
  if (parsed == Teuchos::CommandLineProcessor::PARSE_HELP_PRINTED) {
    if (print) std::cout << said.str();
    return false;
  }
  if (parsed == Teuchos::CommandLineProcessor::PARSE_SUCCESSFUL) return true;
  const std::string text = said.str();
  const auto open = text.find('\''), close = text.find('\'', open + 1);
  if (parsed == Teuchos::CommandLineProcessor::PARSE_UNRECOGNIZED_OPTION && close != std::string::npos)
    throw std::invalid_argument("unknown option " + text.substr(open, close - open + 1) + " (see --help)");
  throw std::invalid_argument("cannot read the command line (see --help)");
}

} // namespace Gnp
