#ifndef GNP_OPTIONTABLE_HPP
#define GNP_OPTIONTABLE_HPP

#include "Gnp_Options.hpp"

#include <Teuchos_ParameterList.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace Gnp {

/// The "gnp: ..." parameters, one row each: the name, the Options member it
/// fills, its type, its range or spellings (a Teuchos validator), its
/// documentation. The default is the member's initialiser in Options. A new
/// option is one row here plus its use; getValidParameters, validation, reading
/// and the model file all loop over the rows.
class OptionTable {
public:
  /// A parameter's type in a Teuchos::ParameterList (and an XML file's type="...").
  enum class Type { Int, Double, String, Bool, List };

  /// One parameter.
  struct Row {
    std::string name;      ///< "gnp: ..."
    Type type = Type::Int; ///< its list type
    std::string doc;       ///< what it means, its range and its default's reason
    bool saved = true;     ///< whether a model file records it (false: a path, meaningless elsewhere)
    Teuchos::RCP<const Teuchos::ParameterEntryValidator> validator; ///< range or spellings
    std::string allowed; ///< the range or spellings in words, for error messages
    /// Sets list[name] to the member's value in `options`, with doc and validator.
    std::function<void(const Options& options, Teuchos::ParameterList& list)> put;
    /// Copies a validated entry into the member.
    std::function<void(const Teuchos::ParameterEntry& entry, Options& options)> take;
  };

  /// Every parameter, in the order of the README's table.
  static const std::vector<Row>& rows();

  /// Every parameter with its default, documentation and validator.
  static Teuchos::RCP<const Teuchos::ParameterList> validParameters();

  /// The settings of a "gnp: ..." list (unset parameters keep their defaults),
  /// validated in one pass: an unknown name, a wrong type or an out-of-range
  /// value throws the matching Teuchos::Exceptions::InvalidParameter subclass
  /// with a message that names the parameter and what it accepts.
  static Options read(const Teuchos::ParameterList& params);

  /// The saved rows of `options` as text, name = value; read back by fromText.
  static std::vector<std::pair<std::string, std::string>> toText(const Options& options);
  /// "gnp: base parameters" of `options` as the list it was read from (one
  /// sublist per base spelling; empty where none was given).
  static Teuchos::ParameterList baseParameterLists(const Options& options);

  /// Settings from toText's pairs (absent names keep their defaults), validated
  /// as read() does. Throws Teuchos::Exceptions::InvalidParameter.
  static Options fromText(const std::vector<std::pair<std::string, std::string>>& text);
};

} // namespace Gnp

#endif
