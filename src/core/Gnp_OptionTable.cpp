#include "Gnp_OptionTable.hpp"

#include "Gnp_BaseOperator.hpp"
#include "Gnp_Errors.hpp"

#include <Ifpack2_Parameters.hpp>
#include <Teuchos_StandardParameterEntryValidators.hpp>
#include <Teuchos_XMLParameterListCoreHelpers.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <typeinfo>

namespace Gnp {
namespace {

using Row = OptionTable::Row;
using Type = OptionTable::Type;
namespace X = Teuchos::Exceptions;

constexpr int kNoLimit = 1 << 30;

// The names a sublist of "gnp: base parameters" may have: the package bases' spellings.
std::string packageBaseNames() {
  std::string names;
  for (const auto& [base, spelling] : spellings<Base>())
    if (basePackage(base)) names += (names.empty() ? "\"" : ", \"") + std::string(spelling) + "\"";
  return names;
}

// A parameter's validator that checks what the one value can say: the names
// of "gnp: base candidates" and the sublists of "gnp: base parameters".
class CheckValidator : public Teuchos::ParameterEntryValidator {
public:
  explicit CheckValidator(std::function<void(const Teuchos::ParameterEntry&)> check) : check_(std::move(check)) {}
  const std::string getXMLTypeName() const override { return "GnpCheckValidator"; }
  void printDoc(const std::string& doc, std::ostream& out) const override { out << "# " << doc << "\n"; }
  ValidStringsList validStringValues() const override { return Teuchos::null; }
  void validate(const Teuchos::ParameterEntry& entry, const std::string&, const std::string&) const override {
    check_(entry);
  }

private:
  std::function<void(const Teuchos::ParameterEntry&)> check_;
};

// EnhancedNumberValidator compares with < and >, which NaN passes.
class FiniteNumberValidator : public Teuchos::EnhancedNumberValidator<double> {
public:
  FiniteNumberValidator(double min)
      : Teuchos::EnhancedNumberValidator<double>(min, std::numeric_limits<double>::max()) {}
  void validate(const Teuchos::ParameterEntry& entry, const std::string& name,
                const std::string& sublist) const override {
    Teuchos::EnhancedNumberValidator<double>::validate(entry, name, sublist);
    if (!std::isfinite(Teuchos::any_cast<double>(entry.getAny(false))))
      throw X::InvalidParameterValue("\"" + name + "\" is not finite");
  }
};

class BudgetValidator : public FiniteNumberValidator {
public:
  BudgetValidator() : FiniteNumberValidator(kAutomaticSeconds) {}
  void validate(const Teuchos::ParameterEntry& entry, const std::string& name,
                const std::string& sublist) const override {
    FiniteNumberValidator::validate(entry, name, sublist);
    const double value = Teuchos::any_cast<double>(entry.getAny(false));
    if (value < 0.0 && value != kAutomaticSeconds) throw X::InvalidParameterValue("\"" + name + "\"");
  }
};

Row named(const char* name, Type type, const char* doc, bool saved = true) {
  Row r;
  r.name = name;
  r.type = type;
  r.doc = doc;
  r.saved = saved;
  return r;
}

template <class M>
Row integer(const char* name, M Options::*member, int low, int high, const char* doc) {
  Row r = named(name, Type::Int, doc);
  const auto validator = Teuchos::rcp(new Teuchos::EnhancedNumberValidator<int>(low, high));
  r.validator = validator;
  r.allowed = "in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
  r.put = [name, member, doc, validator](const Options& o, Teuchos::ParameterList& p) {
    p.set(name, static_cast<int>(o.*member), doc, validator);
  };
  r.take = [member](const Teuchos::ParameterEntry& e, Options& o) {
    o.*member = static_cast<M>(Teuchos::getValue<int>(e));
  };
  return r;
}

Row real(const char* name, double Options::*member, Teuchos::RCP<const FiniteNumberValidator> validator,
         const char* allowed, const char* doc) {
  Row r = named(name, Type::Double, doc);
  r.validator = validator;
  r.allowed = allowed;
  r.put = [name, member, doc, validator](const Options& o, Teuchos::ParameterList& p) {
    p.set(name, o.*member, doc, validator);
  };
  r.take = [member](const Teuchos::ParameterEntry& e, Options& o) { o.*member = Teuchos::getValue<double>(e); };
  return r;
}

Row real(const char* name, double Options::*member, bool positive, const char* doc) {
  const double min = positive ? std::numeric_limits<double>::denorm_min() : 0.0;
  return real(name, member, Teuchos::rcp(new FiniteNumberValidator(min)),
              positive ? "positive and finite" : "non-negative and finite", doc);
}

// Seconds or the automatic budget (Gnp::kAutomaticSeconds); other negative values are refused.
Row budget(const char* name, double Options::*member, const char* doc) {
  return real(name, member, Teuchos::rcp(new BudgetValidator()), "-1 or non-negative and finite", doc);
}

template <class E>
Row choice(const char* name, E Options::*member, const char* doc) {
  Row r = named(name, Type::String, doc);
  Teuchos::Array<std::string> names;
  Teuchos::Array<E> values;
  for (const auto& [value, spelling] : spellings<E>()) {
    names.push_back(spelling);
    values.push_back(value);
    r.allowed += (r.allowed.empty() ? "one of \"" : ", \"") + std::string(spelling) + "\"";
  }
  const auto validator = Teuchos::rcp(new Teuchos::StringToIntegralParameterEntryValidator<E>(names, values, name));
  r.validator = validator;
  r.put = [name, member, doc, validator](const Options& o, Teuchos::ParameterList& p) {
    p.set(name, toString(o.*member), doc, validator);
  };
  r.take = [member, validator, name](const Teuchos::ParameterEntry& e, Options& o) {
    o.*member = validator->getIntegralValue(e, name, "GNP");
  };
  return r;
}

Row flag(const char* name, bool Options::*member, const char* doc) {
  Row r = named(name, Type::Bool, doc);
  const auto validator = Teuchos::rcp(new Teuchos::BoolParameterEntryValidator());
  r.validator = validator;
  r.allowed = "true or false";
  r.put = [name, member, doc, validator](const Options& o, Teuchos::ParameterList& p) {
    p.set(name, o.*member, doc, validator);
  };
  r.take = [member](const Teuchos::ParameterEntry& e, Options& o) { o.*member = Teuchos::getValue<bool>(e); };
  return r;
}

Row text(const char* name, std::string Options::*member, bool saved, const char* doc) {
  Row r = named(name, Type::String, doc, saved);
  r.allowed = "a string";
  r.put = [name, member, doc](const Options& o, Teuchos::ParameterList& p) { p.set(name, o.*member, doc); };
  r.take = [member](const Teuchos::ParameterEntry& e, Options& o) { o.*member = Teuchos::getValue<std::string>(e); };
  return r;
}

std::vector<Base> baseCandidatesFrom(const std::string& text) {
  std::vector<Base> candidates;
  std::istringstream in(text);
  for (std::string name; std::getline(in, name, ',');) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    const Base base = fromString<Base>(name).value_or(Base::Auto);
    if (base == Base::Auto)
      throw X::InvalidParameterValue("GNP parameter \"gnp: base candidates\" = \"" + text + "\" names \"" + name +
                                     "\", which is not a base preconditioner other than \"auto\"");
    if (std::find(candidates.begin(), candidates.end(), base) != candidates.end())
      throw X::InvalidParameterValue("GNP parameter \"gnp: base candidates\" = \"" + text + "\" names \"" + name +
                                     "\" twice");
    candidates.push_back(base);
  }
  if (candidates.empty())
    throw X::InvalidParameterValue("GNP parameter \"gnp: base candidates\" is empty: name at least one base");
  return candidates;
}

std::string baseCandidatesText(const std::vector<Base>& candidates) {
  std::string text;
  for (Base b : candidates) text += (text.empty() ? "" : ", ") + toString(b);
  return text;
}

Row baseCandidates(const char* name, const char* doc) {
  Row r = named(name, Type::String, doc);
  const auto validator = Teuchos::rcp(new CheckValidator(
      [](const Teuchos::ParameterEntry& e) { baseCandidatesFrom(Teuchos::getValue<std::string>(e)); }));
  r.validator = validator;
  r.put = [name, doc, validator](const Options& o, Teuchos::ParameterList& p) {
    p.set(name, baseCandidatesText(o.baseCandidates), doc, validator);
  };
  r.take = [](const Teuchos::ParameterEntry& e, Options& o) {
    o.baseCandidates = baseCandidatesFrom(Teuchos::getValue<std::string>(e));
  };
  return r;
}

// Each sublist of "gnp: base parameters" is named for a base whose package
// takes parameters; Ifpack2's are checked here, MueLu checks its own when it
// builds (as Gnp::Factory's MueLu does).
void checkBaseParameters(const Teuchos::ParameterList& lists) {
  for (auto it = lists.begin(); it != lists.end(); ++it) {
    const std::string& name = lists.name(it);
    const auto base = fromString<Base>(name);
    const char* package = base ? basePackage(*base) : nullptr;
    if (!package || !lists.entry(it).isList())
      throw X::InvalidParameterName("GNP parameter \"gnp: base parameters\" holds \"" + name +
                                    "\": it takes one sublist per base, named " + packageBaseNames());
    if (std::string(package) != "Ifpack2") continue;
    Teuchos::ParameterList valid;
    Ifpack2::getValidParameters(valid);
    try {
      Teuchos::ParameterList(lists.sublist(name)).validateParameters(valid);
    } catch (const std::exception& e) {
      throw X::InvalidParameterValue("GNP parameter \"gnp: base parameters\", sublist \"" + name +
                                     "\", is not a valid Ifpack2 list: " + withoutSourceLocation(e.what()));
    }
  }
}

Row baseParameters(const char* name, const char* doc) {
  Row r = named(name, Type::List, doc);
  const auto validator = Teuchos::rcp(new CheckValidator(
      [](const Teuchos::ParameterEntry& e) { checkBaseParameters(Teuchos::getValue<Teuchos::ParameterList>(e)); }));
  r.validator = validator;
  r.put = [name, doc, validator](const Options& o, Teuchos::ParameterList& p) {
    p.sublist(name, false, doc).setParameters(OptionTable::baseParameterLists(o));
    p.getEntryRCP(name)->setValidator(validator);
  };
  r.take = [](const Teuchos::ParameterEntry& e, Options& o) {
    const auto& lists = Teuchos::getValue<Teuchos::ParameterList>(e);
    if (lists.numParams() == 0) {
      o.baseParameters.clear();
      return;
    }
    Teuchos::ParameterList named("gnp: base parameters"); // one text for one list, wherever it came from
    named.setParameters(lists);
    std::ostringstream xml;
    Teuchos::writeParameterListToXmlOStream(named, xml);
    o.baseParameters = xml.str();
  };
  return r;
}

std::vector<Row> makeRows() {
  using O = Options;
  return {
      integer("gnp: layers", &O::layers, 0, 256, "Number of residual graph-convolution (Res-GCONV) layers"),
      integer("gnp: embedding dimension", &O::embedding, 1, 4096, "Feature width of the graph-convolution layers"),
      integer("gnp: hidden dimension", &O::hidden, 1, 4096, "Hidden width of the encoder and decoder MLPs"),
      integer("gnp: mlp layers", &O::mlpLayers, 1, 64, "Linear layers in each of the encoder and decoder MLPs"),
      integer("gnp: training steps", &O::steps, 1, kNoLimit,
              "Adam steps (one fresh batch each); the best step is kept"),
      budget("gnp: max training time", &O::maxSeconds,
             "Wall-time budget for training in seconds; training stops at whichever budget, steps or time, runs "
             "out first. -1 (automatic): 30 s plus 1 ms per row on each rank, which grows as a step's cost does "
             "(about 8 us per row on each rank): the budget of the package's sweep on small matrices, about a "
             "hundred steps on large ones; a time budget makes the result depend on the machine's speed. 0: none"),
      real("gnp: learning rate", &O::learningRate, true, "Adam learning rate"),
      integer("gnp: batch size", &O::batchSize, 1, 4096, "Right-hand sides per training step"),
      integer("gnp: krylov samples", &O::krylovSamples, 0, 4096,
              "Columns of each batch drawn from the Arnoldi subspace (x = Q e); the rest are Gaussian. At most "
              "\"gnp: batch size\""),
      integer("gnp: arnoldi steps", &O::arnoldiSteps, 1, 10000, "Arnoldi steps m for the training samples"),
      integer("gnp: seed", &O::seed, 0, kNoLimit,
              "Random seed: network initialisation and samples (the samples are the same on any number of "
              "ranks)"),
      integer("gnp: print frequency", &O::printEvery, 0, kNoLimit,
              "Print training progress on rank 0 every this many steps (0: silent)"),
      choice("gnp: verbosity", &O::verbosity,
             "How much GNP prints on rank 0: \"none\"; \"low\": the base it chose and what training found and "
             "cost; \"medium\": also a progress line every \"gnp: print frequency\" steps; \"high\": also every "
             "step the selection rule scores; \"extreme\": also every step"),
      text("gnp: initial model", &O::initialModel, false,
           "Warm start: a model file written by Gnp::Preconditioner::save for a matrix of the same size; training "
           "starts from its weights instead of random ones (\"\": cold start)"),
      text("gnp: save model", &O::saveModel, false,
           "A file to which compute() saves the trained model (\"\": none): how a network trained through "
           "Stratimikos, Belos' \"GNP FGMRES\" or a run list is reused later with \"gnp: initial model\""),
      choice("gnp: loss", &O::loss,
             "Training loss: \"l1\" = mean |A M(b) - b| over all entries (the paper's); \"relative l1\" = each "
             "column's ||A M(b_j) - b_j||_1 / ||b_j||_1, averaged, so that no sample outweighs the others; "
             "\"projected\" = each column's 1 - cos^2(A M(b_j), b_j), the squared relative residual after the best "
             "multiple of M(b_j) (what one FGMRES step keeps): blind to the output's scale"),
      integer("gnp: stationary steps", &O::stationarySteps, 1, 100,
              "Aim training at the solver: the loss is on the residual after this many stationary steps x <- x + "
              "M(b - A x) from x = 0 (1: on b - A M(b), the paper's). The steps before the last apply M as it "
              "stands (inference mode, no gradient through them) and each residual is scaled to its b's norm, so "
              "that the network learns what M leaves; each costs about a forward pass"),
      choice("gnp: learning rate schedule", &O::schedule,
             "\"constant\" (the paper's) or \"cosine\" (from the learning rate down to 0 at the last step)"),
      integer("gnp: warmup steps", &O::warmupSteps, 0, kNoLimit,
              "Linear warm-up of the learning rate over this many steps (0: none)"),
      choice("gnp: best step selection", &O::selection,
             "Which step becomes the preconditioner: \"training loss\" (lowest loss on its own fresh batch, the "
             "paper's), \"validation loss\" (lowest loss, in inference mode, on one fixed batch) or \"validation "
             "solve\" (fastest convergence of a short FGMRES solve, in inference mode, on one fixed right-hand "
             "side b = A x, x Gaussian: the lowest sum of log10 relative residuals over its iterations)"),
      integer("gnp: validation frequency", &O::validationEvery, 1, kNoLimit,
              "With a validation selection: evaluate every this many steps (and at the first and last step)"),
      integer("gnp: validation iterations", &O::validationIterations, 1, 1000,
              "With \"validation solve\" selection: FGMRES iterations (no restart) per evaluation"),
      integer("gnp: warm start steps", &O::warmStartSteps, 0, kNoLimit,
              "Training steps of a compute() that starts from a network this preconditioner has already trained "
              "(after A's values changed, setMatrix, or load): a warm start needs fewer (0: an eighth of \"gnp: "
              "training steps\")"),
      integer("gnp: patience", &O::patience, 0, kNoLimit,
              "With a validation selection: stop training after this many validations in a row found no better "
              "step than the kept one, or \"gnp: relative patience\" times the validations it took to find the "
              "kept one if more (0: train to the step or time budget)"),
      real("gnp: relative patience", &O::relativePatience, false,
           "With \"gnp: patience\" > 0: training also waits this multiple of the validations it took to find the "
           "kept step, so that a network that improved for long is given as long to improve again"),
      real("gnp: base converged tolerance", &O::baseConvergedTolerance, false,
           "With \"validation solve\" selection: when the preconditioner without the network (the base, or none) "
           "already reaches this relative residual within the validation solve, GNP skips training and applies it "
           "(0: always train)"),
      choice("gnp: base preconditioner", &O::base,
             "The preconditioner P that the network corrects (see \"gnp: base composition\"): \"auto\" (ILUT or "
             "none, whichever ranks first on a short FGMRES solve with it alone by Auto's rule: the one that "
             "reaches \"gnp: base converged tolerance\" sooner with construction, else the lower residual area), "
             "\"ilut\" (Ifpack2's ILUT at its defaults; an error where it returns NaN or Inf), "
             "\"jacobi\" (D^-1; zero diagonal entries contribute 0), \"gmres\" (\"gnp: base gmres iterations\" "
             "unpreconditioned GMRES iterations on A x = r: nonlinear, strong where ILU and AMG fail), \"riluk\" "
             "(Ifpack2's RILUK, level 0: ILU(0)), \"gauss-seidel\" (one symmetric Gauss-Seidel sweep, Ifpack2's "
             "RELAXATION; on several ranks local to each rank, as ILUT is) or \"none\" "
             "(M = the network, the paper's)"),
      choice("gnp: base composition", &O::composition,
             "With a base preconditioner P: \"additive\" (M(r) = P r + network(r)) or \"multiplicative\" (M(r) = "
             "P r + network(r - A P r): the network corrects the residual P leaves, one product with A more per "
             "apply)"),
      baseParameters("gnp: base parameters",
                     "The bases' own parameters, one sublist per base, named \"ilut\", \"riluk\", \"gauss-seidel\" "
                     "(Ifpack2's parameters, checked when GNP's list is) or \"muelu\", \"muelu-pg\" (MueLu's, "
                     "checked when MueLu builds); a base without one takes its defaults. Each base, and each of "
                     "\"gnp: base candidates\", reads its own"),
      baseCandidates("gnp: base candidates",
                     "What \"gnp: base preconditioner\" = \"auto\" tries, cheapest first, comma-separated: any "
                     "base but \"auto\". Each is built and ranked on the validation solve by Auto's rule; on a tie "
                     "the earlier is kept. One that cannot be built or returns NaN or Inf is left out (rank 0 says "
                     "why); none left is an error"),
      integer("gnp: base gmres iterations", &O::baseGmresIterations, 1, 1000,
              "With \"gnp: base preconditioner\" = \"gmres\": its iterations (x0 = 0, no restart; exact sums, so "
              "the same on any number of ranks); each costs a product with A"),
      choice("gnp: coarse space", &O::coarse,
             "A coarse space of Arnoldi directions Z of A around the one-level M1 = base + network, W = A Z "
             "orthonormal, so that Z W^T r solves A exactly on range(W): \"none\" (the paper's), \"first\" "
             "(M(r) = Z W^T r + M1(r - W W^T r)) or \"last\" (M(r) = M1(r) + Z W^T (r - A M1(r)), one product "
             "with A more per apply). Kept only where the validation solve (\"gnp: best step selection\" = "
             "\"validation solve\") scores it better than M1 alone"),
      integer("gnp: coarse dimension", &O::coarseDimension, 1, 10000,
              "Arnoldi steps k that make the coarse space (directions where the Arnoldi Hessenberg matrix is "
              "singular below 1e-10 of its largest singular value are dropped); costs 2k numbers per row"),
      flag("gnp: coarse space in training", &O::coarseInTraining,
           "With a coarse space: train the network with it in place, on what the coarse space leaves (true), or "
           "train M1 alone and add the coarse space after (false)"),
  };
}

// A list type's name in XML (type="...") and its C++ type.
std::pair<const char*, const std::type_info*> typeInfo(Type t) {
  switch (t) {
    case Type::Int: return {"int", &typeid(int)};
    case Type::Double: return {"double", &typeid(double)};
    case Type::String: return {"string", &typeid(std::string)};
    case Type::Bool: return {"bool", &typeid(bool)};
    case Type::List: return {"ParameterList", &typeid(Teuchos::ParameterList)};
  }
  return {"?", &typeid(void)};
}

const char* typeName(Type t) { return typeInfo(t).first; }

bool hasType(const Teuchos::ParameterEntry& e, Type t) {
  if (e.isList() || t == Type::List) return e.isList() && t == Type::List;
  return e.getAny(false).type() == *typeInfo(t).second;
}

std::string valueText(const Teuchos::ParameterEntry& e) {
  std::ostringstream os;
  if (e.isType<std::string>())
    os << '"' << Teuchos::getValue<std::string>(e) << '"';
  else
    os << e.getAny(false);
  return os.str();
}

// The valid name nearest to `name` (edit distance), for "did you mean".
std::string nearestName(const std::string& name) {
  std::string best;
  std::size_t bestDistance = std::string::npos;
  for (const auto& row : OptionTable::rows()) {
    const std::string& b = row.name;
    std::vector<std::size_t> d(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
    for (std::size_t i = 1; i <= name.size(); ++i) {
      std::size_t diagonal = d[0];
      d[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t up = d[j];
        d[j] = std::min({d[j] + 1, d[j - 1] + 1, diagonal + (name[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (d[b.size()] < bestDistance) bestDistance = d[b.size()], best = b;
  }
  return bestDistance <= 3 ? best : std::string();
}

const Row& rowOf(const std::string& name) {
  for (const auto& row : OptionTable::rows())
    if (row.name == name) return row;
  const std::string nearest = nearestName(name);
  throw X::InvalidParameterName("\"" + name + "\" is not a GNP parameter" +
                                (nearest.empty() ? std::string() : "; did you mean \"" + nearest + "\"?") +
                                " The valid ones are listed by Gnp::Preconditioner::getValidParameters() and in "
                                "the README.");
}

void check(const Row& row, const Teuchos::ParameterEntry& e) {
  if (!hasType(e, row.type))
    throw X::InvalidParameterType("GNP parameter \"" + row.name + "\" must be of type " + typeName(row.type) +
                                  " (type=\"" + typeName(row.type) + "\" in XML), not " +
                                  (e.isList() ? std::string("a sublist") : e.getAny(false).typeName()));
  if (row.validator.is_null()) return;
  if (Teuchos::rcp_dynamic_cast<const CheckValidator>(row.validator) != Teuchos::null)
    return row.validator->validate(e, row.name, "GNP"); // says what is wrong itself
  try {
    row.validator->validate(e, row.name, "GNP");
  } catch (const std::exception&) {
    throw X::InvalidParameterValue(
        "GNP parameter \"" + row.name + "\" = " + valueText(e) +
        (row.type == Type::String ? " is not valid: it must be " : " is out of range: it must be ") + row.allowed);
  }
}

Teuchos::ParameterEntry entryFromText(const Row& row, const std::string& text) {
  std::istringstream in(text);
  if (row.type == Type::String) return Teuchos::ParameterEntry(text);
  if (row.type == Type::List) {
    Teuchos::ParameterEntry e;
    e.setValue(text.empty() ? Teuchos::ParameterList() : *Teuchos::getParametersFromXmlString(text));
    return e;
  }
  if (row.type == Type::Bool) {
    if (text == "true" || text == "false") return Teuchos::ParameterEntry(text == "true");
  } else if (row.type == Type::Int) {
    int v = 0;
    if (in >> v && in.peek() == EOF) return Teuchos::ParameterEntry(v);
  } else {
    double v = 0;
    if (in >> v && in.peek() == EOF) return Teuchos::ParameterEntry(v);
  }
  throw X::InvalidParameterValue("GNP parameter \"" + row.name + "\" = \"" + text + "\" is not a " +
                                 typeName(row.type));
}

} // namespace

const std::vector<Row>& OptionTable::rows() {
  static const std::vector<Row> table = makeRows();
  return table;
}

Teuchos::RCP<const Teuchos::ParameterList> OptionTable::validParameters() {
  static const Teuchos::RCP<const Teuchos::ParameterList> valid = [] {
    auto p = Teuchos::rcp(new Teuchos::ParameterList("GNP"));
    for (const auto& row : rows()) row.put(Options(), *p);
    return Teuchos::RCP<const Teuchos::ParameterList>(p);
  }();
  return valid;
}

Options OptionTable::read(const Teuchos::ParameterList& params) {
  Options o;
  for (auto it = params.begin(); it != params.end(); ++it) {
    const Row& row = rowOf(params.name(it));
    check(row, params.entry(it));
    row.take(params.entry(it), o);
  }
  if (o.krylovSamples > o.batchSize)
    throw X::InvalidParameterValue("GNP parameter \"gnp: krylov samples\" = " + std::to_string(o.krylovSamples) +
                                   " is out of range: it must be in [0, " + std::to_string(o.batchSize) +
                                   "] (at most \"gnp: batch size\")");
  if (o.coarse == Coarse::Last && o.coarseInTraining && o.loss == Loss::Projected)
    throw X::InvalidParameterValue(
        "GNP parameter \"gnp: coarse space\" = \"last\" (the default) cannot be trained in place with \"gnp: "
        "loss\" = \"projected\": choose \"gnp: loss\" \"l1\" or \"relative l1\", \"gnp: coarse space\" \"first\" or "
        "\"none\", or \"gnp: coarse space in training\" = false");
  return o;
}

std::vector<std::pair<std::string, std::string>> OptionTable::toText(const Options& options) {
  std::vector<std::pair<std::string, std::string>> text;
  for (const auto& row : rows()) {
    if (!row.saved) continue;
    Teuchos::ParameterList p;
    row.put(options, p);
    const auto& e = p.getEntry(row.name);
    if (row.type == Type::String) {
      text.emplace_back(row.name, Teuchos::getValue<std::string>(e));
    } else if (row.type == Type::List) {
      text.emplace_back(row.name, options.baseParameters);
    } else if (row.type == Type::Int) {
      text.emplace_back(row.name, std::to_string(Teuchos::getValue<int>(e)));
    } else if (row.type == Type::Bool) {
      text.emplace_back(row.name, Teuchos::getValue<bool>(e) ? "true" : "false");
    } else {
      char digits[32]; // 17 significant digits: the double back exactly
      std::snprintf(digits, sizeof digits, "%.17g", Teuchos::getValue<double>(e));
      text.emplace_back(row.name, digits);
    }
  }
  return text;
}

Teuchos::ParameterList OptionTable::baseParameterLists(const Options& options) {
  if (options.baseParameters.empty()) return Teuchos::ParameterList();
  return *Teuchos::getParametersFromXmlString(options.baseParameters);
}

Options OptionTable::fromText(const std::vector<std::pair<std::string, std::string>>& text) {
  Teuchos::ParameterList p;
  for (const auto& [name, value] : text) p.setEntry(name, entryFromText(rowOf(name), value));
  return read(p);
}

} // namespace Gnp
