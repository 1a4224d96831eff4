#include "Gnp_ModelFile.hpp"

#include "Gnp_Errors.hpp"
#include "Gnp_Fnv1a.hpp"
#include "Gnp_OptionTable.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace Gnp {
namespace {

constexpr char magic[8] = {'G', 'N', 'P', 'M', 'O', 'D', 'E', 'L'};

std::uint64_t fnv1a(const char* data, std::size_t size) {
  Fnv1a h;
  h.add(data, size);
  return h.value();
}

// Plain values are written as their bytes: the format is defined as
// little-endian, which is every platform Debian's LibTorch and Trilinos run on.
class Writer {
public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable<T>::value, "plain values only");
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    bytes_.append(s);
  }
  std::string& bytes() { return bytes_; }

private:
  std::string bytes_;
};

class Reader {
public:
  Reader(const char* data, std::size_t size, const std::string& source)
      : p_(data), end_(data + size), source_(source) {}
  template <class T>
  T get() {
    T v;
    need(sizeof(T));
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string getString() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  void getFloats(std::vector<float>& out, std::size_t n) {
    need(n * sizeof(float));
    out.resize(n);
    if (n > 0) std::memcpy(out.data(), p_, n * sizeof(float));
    p_ += n * sizeof(float);
  }
  bool atEnd() const { return p_ == end_; }

private:
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - p_) < n)
      throw std::invalid_argument(source_ + " is corrupt: a record runs past the end");
  }
  const char* p_;
  const char* end_;
  const std::string& source_;
};

// An enum stored as int32, checked against its last value.
template <class E>
E getEnum(Reader& r, E last, const std::string& what) {
  const auto v = r.get<std::int32_t>();
  if (v < 0 || v > static_cast<std::int32_t>(last))
    throw std::invalid_argument(what + " is corrupt: an option value out of range");
  return static_cast<E>(v);
}

// Settings whose default changed, with the value a file that does not name them
// was trained and applied with.
const std::vector<std::pair<std::string, std::string>> defaultsBeforeTheyChanged = {
    {"gnp: coarse space", "none"},
    {"gnp: base candidates", "none, ilut"},
};

// Formats 1-4 wrote the options field by field; 5 writes them as name = value text.
Options getLegacyOptions(Reader& r, std::uint32_t version, const std::string& what) {
  Options o = OptionTable::fromText(defaultsBeforeTheyChanged);
  for (int* v : {&o.layers, &o.embedding, &o.hidden, &o.mlpLayers, &o.batchSize, &o.krylovSamples, &o.arnoldiSteps,
                 &o.steps, &o.printEvery})
    *v = r.get<std::int32_t>();
  o.maxSeconds = r.get<double>();
  o.learningRate = r.get<double>();
  o.seed = r.get<std::uint64_t>();
  if (version >= 2) { // version 1 files predate these choices: the paper's defaults
    o.loss = getEnum(r, Loss::Projected, what);
    o.schedule = getEnum(r, Schedule::Cosine, what);
    o.warmupSteps = r.get<std::int32_t>();
    o.selection = getEnum(r, Selection::ValidationSolve, what);
    o.validationEvery = r.get<std::int32_t>();
    o.base = getEnum(r, Base::Auto, what);
  }
  if (version >= 3) o.validationIterations = r.get<std::int32_t>();
  if (version >= 4) o.composition = getEnum(r, Composition::Multiplicative, what);
  return o;
}

Options getOptions(Reader& r, std::uint32_t version, const std::string& what) {
  if (version <= 4) return getLegacyOptions(r, version, what);
  std::vector<std::pair<std::string, std::string>> text(r.get<std::uint32_t>());
  for (auto& [name, value] : text) {
    name = r.getString();
    value = r.getString();
  }
  for (const auto& old : defaultsBeforeTheyChanged)
    if (std::none_of(text.begin(), text.end(), [&](const auto& entry) { return entry.first == old.first; }))
      text.push_back(old);
  try {
    return OptionTable::fromText(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(what + " holds settings this build of GNP does not accept (" + e.what() +
                                "); it was written by another version of GNP: retrain");
  }
}

} // namespace

std::string ModelFile::encode() const {
  Writer payload;
  payload.put(rows);
  payload.put(entries);
  payload.put(gamma);
  const auto text = OptionTable::toText(options);
  payload.put(static_cast<std::uint32_t>(text.size()));
  for (const auto& [name, value] : text) {
    payload.put(name);
    payload.put(value);
  }
  payload.put(static_cast<std::int32_t>(stepsRun));
  payload.put(static_cast<std::int32_t>(bestStep));
  payload.put(bestScore);
  payload.put(static_cast<std::uint8_t>(networkUsed ? 1 : 0));
  payload.put(static_cast<std::uint32_t>(tensors.size()));
  for (const auto& t : tensors) {
    payload.put(t.name);
    payload.put(static_cast<std::uint32_t>(t.shape.size()));
    for (auto d : t.shape) payload.put(d);
    payload.put(static_cast<std::uint64_t>(t.values.size()));
    payload.bytes().append(reinterpret_cast<const char*>(t.values.data()), t.values.size() * sizeof(float));
  }
  Writer file;
  file.bytes().append(magic, sizeof(magic));
  file.put(formatVersion);
  file.put(static_cast<std::uint64_t>(payload.bytes().size()));
  file.bytes().append(payload.bytes());
  file.put(fnv1a(payload.bytes().data(), payload.bytes().size()));
  return std::move(file.bytes());
}

ModelFile ModelFile::decode(const std::string& bytes, const std::string& source) {
  const std::string what = "GNP model file '" + source + "'";
  if (bytes.size() < sizeof(magic) || std::memcmp(bytes.data(), magic, sizeof(magic)) != 0)
    throw std::invalid_argument(what +
                                " is not a GNP model (it does not start with \"GNPMODEL\"); pass a file "
                                "written by Gnp::Preconditioner::save");
  Reader header(bytes.data() + sizeof(magic), bytes.size() - sizeof(magic), what);
  const auto version = header.get<std::uint32_t>();
  if (version > formatVersion)
    throw std::invalid_argument(what + " has format version " + std::to_string(version) +
                                ", newer than this build of GNP reads (" + std::to_string(formatVersion) +
                                "); load it with a newer GNP or retrain");
  if (version == 0) throw std::invalid_argument(what + " is corrupt: format version 0");
  const auto length = header.get<std::uint64_t>();
  const std::size_t offset = sizeof(magic) + sizeof(std::uint32_t) + sizeof(std::uint64_t);
  if (bytes.size() < offset || bytes.size() - offset != length + sizeof(std::uint64_t))
    throw std::invalid_argument(what + " is truncated or has trailing bytes: " + std::to_string(bytes.size()) +
                                " bytes where the header promises " +
                                std::to_string(offset + length + sizeof(std::uint64_t)) + "; save the model again");
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + offset + length, sizeof(stored));
  if (stored != fnv1a(bytes.data() + offset, length))
    throw std::invalid_argument(what + " is corrupt: its checksum does not match its contents; save the model again");

  Reader r(bytes.data() + offset, length, what);
  ModelFile m;
  m.rows = r.get<std::int64_t>();
  m.entries = r.get<std::int64_t>();
  m.gamma = r.get<double>();
  m.options = getOptions(r, version, what);
  m.stepsRun = r.get<std::int32_t>();
  m.bestStep = r.get<std::int32_t>();
  m.bestScore = r.get<double>();
  if (version >= 6) m.networkUsed = r.get<std::uint8_t>() != 0;
  m.tensors.resize(r.get<std::uint32_t>());
  for (auto& t : m.tensors) {
    t.name = r.getString();
    t.shape.resize(r.get<std::uint32_t>());
    std::int64_t count = 1;
    for (auto& d : t.shape) count *= (d = r.get<std::int64_t>());
    const auto n = r.get<std::uint64_t>();
    if (count < 0 || static_cast<std::uint64_t>(count) != n)
      throw std::invalid_argument(what + " is corrupt: tensor '" + t.name + "' has the wrong number of values");
    r.getFloats(t.values, n);
    for (float v : t.values)
      if (!std::isfinite(v) || std::fabs(v) > maxWeight)
        throw std::invalid_argument(what + " holds " +
                                    (std::isfinite(v) ? "a weight of " + std::to_string(v) : "NaN or Inf") +
                                    " in tensor '" + t.name + "': no trained network does; it is damaged, train again");
  }
  if (!r.atEnd()) throw std::invalid_argument(what + " is corrupt: unexpected bytes after the last tensor");
  return m;
}

std::string ModelFile::read(const std::string& path) {
  requireReadableFile(path, "GNP model file");
  const auto size = std::filesystem::file_size(path);
  if (size > maxBytes)
    throw std::invalid_argument("GNP model file '" + path + "' has " + std::to_string(size) +
                                " bytes, more than any GNP model; check the path");
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw std::invalid_argument("cannot read GNP model file '" + path + "'");
  return bytes;
}

void ModelFile::requireFits(const Options& o, const std::string& source) const {
  const Options& m = options;
  if (m.layers != o.layers || m.embedding != o.embedding || m.hidden != o.hidden || m.mlpLayers != o.mlpLayers)
    throw std::invalid_argument(
        "GNP model file '" + source +
        "' does not fit this network: its gnp: layers / embedding dimension / hidden dimension / mlp layers are " +
        std::to_string(m.layers) + " / " + std::to_string(m.embedding) + " / " + std::to_string(m.hidden) + " / " +
        std::to_string(m.mlpLayers) + ", this run " + std::to_string(o.layers) + " / " + std::to_string(o.embedding) +
        " / " + std::to_string(o.hidden) + " / " + std::to_string(o.mlpLayers) + "; use the model's");
  if (o.base != Base::Auto && o.base != m.base)
    throw std::invalid_argument("GNP model file '" + source + "' was trained with gnp: base preconditioner \"" +
                                toString(m.base) + "\", this run asks for \"" + toString(o.base) +
                                "\"; the network is a correction to its base: use \"" + toString(m.base) +
                                "\" (or \"auto\", which takes the model's)");
}

} // namespace Gnp
