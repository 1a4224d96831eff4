#include "Gnp_BenchSettings.hpp"

#include "Gnp_Fnv1a.hpp"

#include <Teuchos_XMLParameterListHelpers.hpp>

#include <cctype>
#include <sstream>

namespace Gnp {
namespace Bench {
namespace {

Teuchos::RCP<Teuchos::ParameterList> topList(const Settings& s) {
  return s.params.empty() ? Teuchos::rcp(new Teuchos::ParameterList(defaultRunList())) : readParameterFile(s.params);
}

} // namespace

std::vector<RunSpec> runList(const Settings& s) {
  auto runs = parseRunList(*topList(s));
  for (auto& r : runs)
    if (r.type == "GNP") {
      if (s.gnpSteps > 0) r.precParams.set("gnp: training steps", s.gnpSteps);
      if (s.gnpSeconds >= 0) r.precParams.set("gnp: max training time", s.gnpSeconds);
    }
  return runs;
}

std::vector<RightHandSide> rhsList(const Settings& s) {
  return s.rhs.empty() ? rightHandSides(*topList(s)) : parseRightHandSides(s.rhs);
}

std::string runDigest(const RunSpec& run) {
  std::ostringstream text;
  const auto options = Teuchos::ParameterList::PrintOptions().showTypes(true).showFlags(false);
  text << run.name << '\n' << run.type << '\n';
  run.precParams.print(text, options);
  run.belos.print(text, options);
  const std::string bytes = text.str();
  Fnv1a h;
  h.add(bytes.data(), bytes.size());
  return std::to_string(h.value());
}

std::string safeName(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out;
}

std::filesystem::path caseDir(const std::string& out, RightHandSide rhs, const std::string& matrix) {
  return std::filesystem::path(out) / "cases" / fileTag(rhs) / matrix;
}

std::filesystem::path casePath(const std::string& out, RightHandSide rhs, const std::string& matrix,
                               const std::string& run) {
  return caseDir(out, rhs, matrix) / (safeName(run) + ".json");
}

std::filesystem::path timeResultPath(const std::string& out, RightHandSide rhs, const std::string& matrix,
                                     const std::string& run) {
  return casePath(out, rhs, matrix, run).string() + ".time";
}

} // namespace Bench
} // namespace Gnp
