#include "Gnp_RunList.hpp"

#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_Types.hpp"

#include <stdexcept>

namespace Gnp {
namespace {

using Factory = Gnp::Factory<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;

Teuchos::ParameterList validRunParameters() {
  Teuchos::ParameterList p;
  p.set("Preconditioner Type", "GNP", "GNP, ILUT, RELAXATION, MueLu, GMRES or None (case-insensitive)");
  p.sublist("Preconditioner Parameters", false, "The preconditioner's own parameters").disableRecursiveValidation();
  p.sublist("Belos", false, "Passed to Belos Block GMRES over the protocol's defaults").disableRecursiveValidation();
  return p;
}

RunSpec parseRun(const std::string& name, const Teuchos::ParameterList& spec, const Teuchos::ParameterList& belos) {
  spec.validateParameters(validRunParameters());
  RunSpec run;
  run.name = name;
  run.type = Factory::canonicalType(spec.get<std::string>("Preconditioner Type"));
  if (spec.isSublist("Preconditioner Parameters")) run.precParams = spec.sublist("Preconditioner Parameters");
  run.belos = belos;
  if (spec.isSublist("Belos")) run.belos.setParameters(spec.sublist("Belos"));
  return run;
}

} // namespace

std::vector<RunSpec> parseRunList(const Teuchos::ParameterList& top) {
  Teuchos::ParameterList belos = defaultBelosParameters();
  if (top.isSublist("Belos")) belos.setParameters(top.sublist("Belos"));
  if (top.isParameter("Preconditioner Type")) return {parseRun(top.get<std::string>("Preconditioner Type"), top, belos)};
  std::vector<RunSpec> runs;
  for (auto it = top.begin(); it != top.end(); ++it) {
    const std::string& name = top.name(it);
    if (name == "Belos") continue;
    if (!top.isSublist(name) || !top.sublist(name).isParameter("Preconditioner Type"))
      throw std::invalid_argument("unexpected entry \"" + name + "\" in the parameter list: expected a "
                                  "\"Preconditioner Type\" parameter, sublists that each have one, or \"Belos\"");
    runs.push_back(parseRun(name, top.sublist(name), belos));
  }
  if (runs.empty()) throw std::invalid_argument("the parameter list names no preconditioner");
  return runs;
}

Teuchos::ParameterList defaultRunList() {
  Teuchos::ParameterList top("the paper's comparison");
  const std::pair<const char*, const char*> runs[] = {{"GNP", "GNP"},     {"ILUT", "ILUT"},   {"Jacobi", "RELAXATION"},
                                                      {"MueLu", "MueLu"}, {"GMRES", "GMRES"}, {"None", "None"}};
  for (const auto& [name, type] : runs) top.sublist(name).set("Preconditioner Type", type);
  return top;
}

} // namespace Gnp
