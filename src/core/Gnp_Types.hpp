#ifndef GNP_TYPES_HPP
#define GNP_TYPES_HPP

#include <Tpetra_Map_fwd.hpp>
#include <Tpetra_Details_DefaultTypes.hpp>

namespace Gnp {

/// The Tpetra types the installed Trilinos is instantiated for (Debian 13.2:
/// double, int, long long, Serial node). The package's templates are explicitly
/// instantiated for these only.
using DefaultScalar = double;
using DefaultLocalOrdinal = Tpetra::Details::DefaultTypes::local_ordinal_type;
using DefaultGlobalOrdinal = Tpetra::Details::DefaultTypes::global_ordinal_type;
using DefaultNode = Tpetra::Details::DefaultTypes::node_type;

} // namespace Gnp

/// Explicit instantiation of a class template for the default Tpetra types.
#define GNP_INSTANTIATE_CLASS(CLASS) \
  template class CLASS<Gnp::DefaultScalar, Gnp::DefaultLocalOrdinal, Gnp::DefaultGlobalOrdinal, Gnp::DefaultNode>;

#endif
