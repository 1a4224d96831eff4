#include "Gnp_RunList.hpp"

#include "Gnp_Errors.hpp"
#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_FileInputSource.hpp>
#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Teuchos_XMLParameterListReader.hpp>

#include <set>
#include <stdexcept>

namespace Gnp {
namespace {

using Factory = Gnp::Factory<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;

Teuchos::ParameterList validRunParameters() {
  Teuchos::ParameterList p;
  p.set("Preconditioner Type", "GNP", "GNP, ILUT, RELAXATION, MueLu, GMRES or None (case-insensitive)");
  p.sublist("Preconditioner Parameters", false, "The preconditioner's own parameters").disableRecursiveValidation();
  p.sublist("Belos", false, "Passed to Belos Block GMRES over the protocol's defaults").disableRecursiveValidation();
  p.set(kRightHandSideParameter, toString(defaultRightHandSides()),
        "Comma-separated: ones (b = A*1), random solution (b = A*x, x ~ N(0,1)), random (b ~ N(0,1))");
  return p;
}

RunSpec parseRun(const std::string& name, const Teuchos::ParameterList& spec, const Teuchos::ParameterList& belos,
                 bool topLevel) {
  if (!topLevel && spec.isParameter(kRightHandSideParameter))
    throw std::invalid_argument("\"" + std::string(kRightHandSideParameter) + "\" in the run \"" + name +
                                "\": it belongs at the top of the parameter list (it applies to every run)");
  spec.validateParameters(validRunParameters());
  RunSpec run;
  run.name = name;
  run.type = Factory::canonicalType(spec.get<std::string>("Preconditioner Type"));
  if (spec.isSublist("Preconditioner Parameters")) run.precParams = spec.sublist("Preconditioner Parameters");
  run.belos = belos;
  if (spec.isSublist("Belos")) run.belos.setParameters(spec.sublist("Belos"));
  try {
    validateBelosParameters(run.belos);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("run \"" + name + "\": " + e.what());
  }
  return run;
}

// Teuchos keeps the last of two entries with one name in a list, silently:
// a parameter file must say each thing once.
void requireUniqueNames(const Teuchos::XMLObject& list, const std::string& listName) {
  std::set<std::string> seen;
  for (int i = 0; i < list.numChildren(); ++i) {
    const Teuchos::XMLObject& child = list.getChild(i);
    if (child.getTag() != "Parameter" && child.getTag() != "ParameterList") continue;
    const std::string name = child.hasAttribute("name") ? child.getRequired("name") : "";
    if (!seen.insert(name).second)
      throw std::invalid_argument("\"" + name + "\" is given twice in the list \"" + listName +
                                  "\"; Teuchos would keep the last silently: give it once");
    if (child.getTag() == "ParameterList") requireUniqueNames(child, name);
  }
}

} // namespace

std::vector<RunSpec> parseRunList(const Teuchos::ParameterList& top) {
  Teuchos::ParameterList belos = defaultBelosParameters();
  if (top.isParameter("Belos") && !top.isSublist("Belos"))
    throw std::invalid_argument("\"Belos\" must be a sublist of Belos parameters, not a single value");
  if (top.isSublist("Belos")) belos.setParameters(top.sublist("Belos"));
  if (top.isParameter("Preconditioner Type"))
    return {parseRun(top.get<std::string>("Preconditioner Type"), top, belos, true)};
  std::vector<RunSpec> runs;
  for (auto it = top.begin(); it != top.end(); ++it) {
    const std::string& name = top.name(it);
    if (name == "Belos" || name == kRightHandSideParameter) continue;
    if (!top.isSublist(name) || !top.sublist(name).isParameter("Preconditioner Type"))
      throw std::invalid_argument("unexpected entry \"" + name +
                                  "\" in the parameter list: expected a "
                                  "\"Preconditioner Type\" parameter, sublists that each have one, or \"Belos\"");
    runs.push_back(parseRun(name, top.sublist(name), belos, false));
  }
  if (runs.empty()) throw std::invalid_argument("the parameter list names no preconditioner");
  return runs;
}

std::vector<RightHandSide> rightHandSides(const Teuchos::ParameterList& top) {
  if (!top.isParameter(kRightHandSideParameter)) return defaultRightHandSides();
  if (!top.isType<std::string>(kRightHandSideParameter))
    throw std::invalid_argument(std::string("\"") + kRightHandSideParameter + "\" must be a string, e.g. \"" +
                                toString(defaultRightHandSides()) + "\"");
  try {
    return parseRightHandSides(top.get<std::string>(kRightHandSideParameter));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("\"") + kRightHandSideParameter + "\": " + e.what());
  }
}

Teuchos::ParameterList defaultRunList() {
  Teuchos::ParameterList top("the paper's comparison");
  const std::pair<const char*, const char*> runs[] = {{"GNP", "GNP"},     {"ILUT", "ILUT"},   {"Jacobi", "RELAXATION"},
                                                      {"MueLu", "MueLu"}, {"GMRES", "GMRES"}, {"None", "None"}};
  for (const auto& [name, type] : runs) top.sublist(name).set("Preconditioner Type", type);
  return top;
}

Teuchos::RCP<Teuchos::ParameterList> readParameterFile(const std::string& path) {
  requireReadableFile(path, "XML parameter file");
  try {
    const Teuchos::XMLObject xml = Teuchos::FileInputSource(path).getObject();
    requireUniqueNames(xml, xml.hasAttribute("name") ? xml.getRequired("name") : "");
    return Teuchos::rcp(new Teuchos::ParameterList(Teuchos::XMLParameterListReader().toParameterList(xml)));
  } catch (const std::exception& e) {
    throw std::invalid_argument("cannot read XML parameter file '" + path + "': " + withoutSourceLocation(e.what()));
  }
}

} // namespace Gnp
