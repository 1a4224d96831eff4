#ifndef GNP_MODELFILE_HPP
#define GNP_MODELFILE_HPP

#include "Gnp_NamedTensor.hpp"
#include "Gnp_Options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace Gnp {

/// A trained GNP as stored on disk: everything needed to apply it again, on any
/// number of MPI ranks, to the matrix it was trained for (or to warm-start
/// training on a changed matrix of the same size).
///
/// Format (little-endian): the magic "GNPMODEL", a uint32 format version, a
/// uint64 payload length, the payload, and a 64-bit FNV-1a hash of the payload.
/// The hash and length catch truncated and corrupted files; the version lets an
/// old reader refuse a newer file instead of misreading it.
struct ModelFile {
  /// 5 stores the options as name = value text (Gnp::OptionTable), so a new
  /// option needs no new version: a file without it loads with its default.
  /// 6 adds whether the network is applied (networkUsed).
  /// Versions 1-4 stored them field by field (2 added the training choices and
  /// the base, 3 the validation solve's length, 4 the base's composition);
  /// they still load, with the defaults for what they lack.
  static constexpr std::uint32_t formatVersion = 6;

  std::int64_t rows = 0;            ///< global rows of the matrix trained for
  std::int64_t entries = 0;         ///< its global stored entries
  double gamma = 1.0;               ///< the Gershgorin bound the network's Â = A/γ used
  Options options;                  ///< architecture and training settings
  int stepsRun = 0;                 ///< training steps run
  int bestStep = -1;                ///< the step kept
  double bestScore = 0.0;           ///< its score (TrainingReport::bestScore)
  bool networkUsed = true;          ///< false: M applies the base (or the identity) without the network
  std::vector<NamedTensor> tensors; ///< parameters and batch-norm statistics

  /// The file's bytes.
  std::string encode() const;
  /// Parses bytes read from `source` (named in errors). Throws
  /// std::invalid_argument for anything that is not a complete, intact model
  /// file of a version this build reads, and for weights that are NaN, Inf or
  /// beyond maxWeight (a damaged file whose checksum was recomputed).
  static ModelFile decode(const std::string& bytes, const std::string& source);

  /// The whole of a model file, read on this process: a regular file only (a
  /// device such as /dev/zero is refused before a byte is read), at most
  /// maxBytes. std::invalid_argument naming the path.
  static std::string read(const std::string& path);

  /// Throws std::invalid_argument unless a network with settings `o` can start
  /// from this model: the same layers, embedding, hidden width and MLP layers,
  /// and the same base preconditioner (or `o` asks for "auto"), since the
  /// network was trained as a correction to its base.
  void requireFits(const Options& o, const std::string& source) const;

  /// The largest file read(): far above any trained network (a million-row
  /// matrix's model is a few hundred kilobytes).
  static constexpr std::uint64_t maxBytes = std::uint64_t(1) << 32;
  /// The largest weight magnitude decode() accepts: a trained network's are O(1)-O(100).
  static constexpr double maxWeight = 1e12;
};

} // namespace Gnp

#endif
