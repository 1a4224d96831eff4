#ifndef GNP_BENCHSWEEP_HPP
#define GNP_BENCHSWEEP_HPP

#include "Gnp_BenchSettings.hpp"
#include "Gnp_FolderLock.hpp"
#include "Gnp_WorkerJob.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Gnp {
namespace Bench {

/// gnp-bench's driver: every (matrix, run) case of the settings as its own
/// WorkerJob, iteration mode then time mode (docs/method.md sections 5-6), each
/// result one JSON file under OUT/cases, then summary.csv and report.md. A case
/// is done before, and skipped, while its file holds a result for the same
/// matrix content and run; a job that says nothing about its case stops the
/// sweep (WorkerJob::NotAResult) and nothing is filed for it.
class Sweep {
public:
  /// Checks everything before any job runs (runs, right-hand sides, matrices,
  /// --notes) and takes OUT for this process: another driver on it is refused,
  /// and so are results of other runs or rank counts there.
  explicit Sweep(const Settings& s);

  /// Runs what is not done yet, writes the summary and report; returns the exit status.
  int run();

private:
  struct MatrixRefused : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  bool sweepMatrix(const std::filesystem::path& file);
  bool iterationPhase(const std::string& matrix, const std::filesystem::path& file, const std::string& digest,
                      std::vector<std::vector<nlohmann::json>>& docs, double weight);
  bool timePhase(const std::string& matrix, const std::filesystem::path& file, std::size_t k,
                 std::vector<nlohmann::json>& group, double weight);
  WorkerJob::Outcome runJob(const std::vector<std::string>& args, const std::string& logPath, const std::string& what);
  std::string modelPath(const std::string& matrix, const RunSpec& run) const;
  const std::string& digestOf(const std::filesystem::path& file);
  nlohmann::json readCase(const std::filesystem::path& path, const std::string& digest, std::size_t run) const;
  /// How a case's line came about: run now, read from its file, or taken from iteration mode.
  enum class Done { Now, Before, FromIterationMode };
  void progress(const std::string& matrix, const std::string& what, const nlohmann::json& doc, double seconds,
                Done done, double share, double weight);
  bool limitReached() const { return s_.maxCases >= 0 && casesRun_ >= s_.maxCases; }
  void writeReport();

  Settings s_;
  std::vector<RunSpec> runs_;
  std::vector<std::string> runDigests_;
  std::vector<RightHandSide> rhs_;
  std::vector<std::filesystem::path> files_;
  std::filesystem::path out_;
  std::unique_ptr<FolderLock> lock_;
  WorkerJob job_;
  std::vector<std::pair<std::string, std::string>> unreadable_;
  std::map<std::string, std::string> digests_; // matrix file -> content digest
  double totalWeight_ = 0.0, doneWeight_ = 0.0, spentOnDone_ = 0.0;
  std::chrono::steady_clock::time_point start_;
  int casesRun_ = 0;
  bool stopped_ = false;
};

} // namespace Bench
} // namespace Gnp

#endif
