// gnp-bench end to end on two tiny matrices with all six preconditioners: the
// driver, its workers under mpirun (GNP_TEST_RANKS ranks), crash isolation,
// the outputs, and resuming an interrupted sweep.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

// 2-D convection-diffusion on an 8 x 8 grid (n 64) and a tridiagonal matrix
// whose first diagonal entry is missing (n 30).
fs::path writeMatrices(const fs::path& dir) {
  fs::create_directories(dir);
  {
    std::ostringstream entries;
    int count = 0;
    const int N = 8;
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) {
        const int row = i * N + j + 1;
        entries << row << ' ' << row << " 4\n", ++count;
        if (j > 0) entries << row << ' ' << row - 1 << " -1.3\n", ++count;
        if (j < N - 1) entries << row << ' ' << row + 1 << " -0.7\n", ++count;
        if (i > 0) entries << row << ' ' << row - N << " -1.15\n", ++count;
        if (i < N - 1) entries << row << ' ' << row + N << " -0.85\n", ++count;
      }
    std::ofstream(dir / "convdiff.mtx") << "%%MatrixMarket matrix coordinate real general\n"
                                        << N * N << ' ' << N * N << ' ' << count << "\n"
                                        << entries.str();
  }
  {
    std::ostringstream entries;
    int count = 0;
    const int n = 30;
    for (int i = 1; i <= n; ++i) {
      if (i > 1) entries << i << ' ' << i << " 3\n", ++count;
      if (i > 1) entries << i << ' ' << i - 1 << " -1\n", ++count;
      if (i < n) entries << i << ' ' << i + 1 << " 1\n", ++count;
    }
    std::ofstream(dir / "zerodiag.mtx") << "%%MatrixMarket matrix coordinate real general\n"
                                        << n << ' ' << n << ' ' << count << "\n"
                                        << entries.str();
  }
  return dir;
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int ranks() {
  const char* r = std::getenv("GNP_TEST_RANKS");
  return r ? std::atoi(r) : 1;
}

// The six types at their defaults but GNP's base, which is named: "auto" chooses on
// measured time, and on these matrices ILUT and inner GMRES both solve in a
// fraction of a millisecond, so under load the choice (and GNP's last digits)
// can differ between two runs of the same sweep.
fs::path writeSweepRuns(const fs::path& path) {
  std::ofstream out(path);
  out << "<ParameterList name=\"sweep\">\n"
         "  <ParameterList name=\"GNP\">\n"
         "    <Parameter name=\"Preconditioner Type\" type=\"string\" value=\"GNP\"/>\n"
         "    <ParameterList name=\"Preconditioner Parameters\">\n"
         "      <Parameter name=\"gnp: base preconditioner\" type=\"string\" value=\"gmres\"/>\n"
         "    </ParameterList>\n"
         "  </ParameterList>\n";
  const std::pair<const char*, const char*> others[] = {
      {"ILUT", "ILUT"}, {"Jacobi", "RELAXATION"}, {"MueLu", "MueLu"}, {"GMRES", "GMRES"}, {"None", "None"}};
  for (const auto& [name, type] : others)
    out << "  <ParameterList name=\"" << name
        << "\">\n    <Parameter name=\"Preconditioner Type\" type=\"string\" value=\"" << type
        << "\"/>\n  </ParameterList>\n";
  out << "</ParameterList>\n";
  return path;
}

int runBench(const fs::path& matrices, const fs::path& out, const std::string& extra = "") {
  const std::string command = std::string(GNP_BENCH_EXE) + " --matrices=" + matrices.string() +
                              " --out=" + out.string() + " --ranks=" + std::to_string(ranks()) + " --gnp-steps=10 " +
                              extra + " > " + (out.string() + ".log") + " 2>&1";
  return std::system(command.c_str());
}

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      fields.emplace_back();
    else
      fields.back() += c;
  }
  return fields;
}

std::vector<Row> readSummary(const fs::path& out) {
  std::ifstream in(out / "summary.csv");
  std::string line;
  std::getline(in, line);
  const auto header = splitCsv(line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const auto fields = splitCsv(line);
    Row row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(row);
  }
  return rows;
}

const Row& find(const std::vector<Row>& rows, const std::string& matrix, const std::string& preconditioner,
                const std::string& rhs = "ones") {
  for (const auto& r : rows)
    if (r.at("matrix") == matrix && r.at("preconditioner") == preconditioner && r.at("rhs") == rhs) return r;
  static const Row none;
  ADD_FAILURE() << "no row for " << matrix << " / " << preconditioner << " / " << rhs;
  return none;
}

// The columns that do not depend on timing.
std::vector<std::string> deterministic(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    out.push_back(r.at("matrix") + " " + r.at("rhs") + " " + r.at("preconditioner") + " " + r.at("status") + " " +
                  r.at("iterations") + " " + r.at("training_steps") + " " + r.at("iter_auc").substr(0, 6));
  return out;
}

} // namespace

TEST(GnpBench, SweepsTwoMatricesWithAllSixTypesSurvivesACrashAndResumesToTheSameSummary) {
  const fs::path dir = fs::temp_directory_path() / ("gnp_bench_sweep_np" + std::to_string(ranks()));
  fs::remove_all(dir);
  const fs::path matrices = writeMatrices(dir / "matrices");
  const std::string runs = "--params=" + writeSweepRuns(dir / "runs.xml").string();
  // Fault injection: this case's worker aborts after construction.
  setenv("GNP_BENCH_TEST_ABORT", "convdiff/MueLu", 1);

  ASSERT_EQ(runBench(matrices, dir / "full", runs), 0) << "see " << dir / "full.log";
  const auto rows = readSummary(dir / "full");
  // 2 matrices x 6 preconditioners x 2 right-hand sides (ones and random solution by default).
  ASSERT_EQ(rows.size(), 24u);
  for (const char* rhs : {"ones", "random-solution"})
    for (const char* type : {"GNP", "ILUT", "Jacobi", "MueLu", "GMRES", "None"}) {
      EXPECT_TRUE(fs::exists(dir / "full" / "cases" / rhs / "convdiff" / (std::string(type) + ".json"))) << type;
      EXPECT_TRUE(fs::exists(dir / "full" / "cases" / rhs / "zerodiag" / (std::string(type) + ".json"))) << type;
    }
  // One model per matrix: GNP trains once and solves both right-hand sides.
  EXPECT_TRUE(fs::exists(dir / "full" / "models" / "convdiff__GNP.gnp"));
  EXPECT_EQ(find(rows, "convdiff", "GNP").at("construction_s"),
            find(rows, "convdiff", "GNP", "random solution").at("construction_s"));
  // The crash is recorded as a solution failure (it happened after construction)...
  for (const char* rhs : {"ones", "random solution"}) {
    const Row& crashed = find(rows, "convdiff", "MueLu", rhs);
    EXPECT_EQ(crashed.at("status"), "solution failure") << rhs;
    // The worker's own last line, not Open MPI's banner or backtrace.
    EXPECT_NE(crashed.at("failure").find("crashed (signal 6, Aborted): gnp-bench: fault injection: aborting"),
              std::string::npos)
        << crashed.at("failure");
  }
  // ...and the others ran to a result.
  for (const auto& r : rows) {
    if (r.at("matrix") == "convdiff" && r.at("preconditioner") == "MueLu") continue;
    EXPECT_TRUE(r.at("status") == "converged" || r.at("status") == "not converged" ||
                r.at("status").find("failure") != std::string::npos)
        << r.at("matrix") << " " << r.at("preconditioner") << ": " << r.at("status");
  }
  EXPECT_EQ(find(rows, "convdiff", "ILUT").at("status"), "converged");
  EXPECT_EQ(find(rows, "convdiff", "ILUT", "random solution").at("status"), "converged");
  // Inner GMRES and GNP's default coarse space already solve this small matrix
  // in the validation solve, so nothing is trained (--gnp-steps=10 or not).
  EXPECT_EQ(find(rows, "convdiff", "GNP").at("training_steps"), "0");
  EXPECT_EQ(find(rows, "convdiff", "GNP").at("training_stop"), "base converged");
  const std::string gnpText = readAll(dir / "full" / "cases" / "ones" / "convdiff" / "GNP.json");
  EXPECT_NE(gnpText.find("\"steps_budget\": 10,"), std::string::npos) << gnpText;
  EXPECT_FALSE(find(rows, "convdiff", "GNP").at("iter_auc").empty());
  EXPECT_FALSE(find(rows, "convdiff", "GNP").at("time_auc").empty());
  // The artifact's diagnostics: GNP's output deviation and first-iteration residual, and the flag on ones.
  for (const char* rhs : {"ones", "random solution"}) {
    const Row& gnp = find(rows, "convdiff", "GNP", rhs);
    EXPECT_FALSE(gnp.at("output_deviation").empty()) << rhs;
    EXPECT_FALSE(gnp.at("first_iteration_residual").empty()) << rhs;
  }
  EXPECT_TRUE(find(rows, "convdiff", "GNP").at("constant_output_artifact") == "yes" ||
              find(rows, "convdiff", "GNP").at("constant_output_artifact") == "no");
  EXPECT_EQ(find(rows, "convdiff", "GNP", "random solution").at("constant_output_artifact"), "");
  const std::string text = readAll(dir / "full" / "report.md");
  EXPECT_NE(text.find("## Right-hand sides side by side"), std::string::npos) << text;
  EXPECT_NE(text.find("## GNP's constant-output artifact"), std::string::npos) << text;
  EXPECT_NE(text.find("## Failures and wins per preconditioner — right-hand side \"ones\""), std::string::npos);
  EXPECT_NE(text.find("## Failures and wins per preconditioner — right-hand side \"random solution\""),
            std::string::npos);
  EXPECT_NE(text.find("| MueLu | 0 | 1 |"), std::string::npos) << text;
  // Side by side (the first MueLu row, cells "ones / random solution"): the crash is a solution failure on both.
  const auto at = text.find("| MueLu | ");
  ASSERT_NE(at, std::string::npos);
  std::vector<std::string> cells;
  std::stringstream line(text.substr(at + 1, text.find('\n', at) - at - 1));
  for (std::string cell; std::getline(line, cell, '|');) cells.push_back(cell);
  ASSERT_GE(cells.size(), 5u) << text.substr(at, 200);
  EXPECT_EQ(cells[4], " 1 / 1 ") << text.substr(at, 200);

  // A finished sweep run again starts no worker: every case line says "(done before)".
  ASSERT_EQ(runBench(matrices, dir / "full", runs), 0);
  std::ifstream log(dir.string() + "/full.log");
  int caseLines = 0;
  for (std::string line; std::getline(log, line);)
    if (line.rfind("gnp-bench: [", 0) == 0) {
      ++caseLines;
      EXPECT_NE(line.find("(done before)"), std::string::npos) << line;
    }
  EXPECT_GT(caseLines, 24);

  // Interrupted after 4 workers, then rerun: the same summary.
  ASSERT_EQ(runBench(matrices, dir / "resumed", runs + " --max-cases=4"), 0);
  EXPECT_LT(readSummary(dir / "resumed").size(), 24u);
  ASSERT_EQ(runBench(matrices, dir / "resumed", runs), 0);
  EXPECT_EQ(deterministic(readSummary(dir / "resumed")), deterministic(rows));
  fs::remove_all(dir);
}

namespace {

fs::path writeRunList(const fs::path& path, const std::string& type) {
  std::ofstream(path) << "<ParameterList name=\"one run\">\n  <Parameter name=\"Preconditioner Type\" type=\"string\" "
                         "value=\""
                      << type << "\"/>\n</ParameterList>\n";
  return path;
}

} // namespace

TEST(GnpBench, SkipsWhatIsNotAMatrixReportsUnreadableMatricesApartAndRefusesChangedSettings) {
  const fs::path dir = fs::temp_directory_path() / ("gnp_bench_hostile_np" + std::to_string(ranks()));
  fs::remove_all(dir);
  const fs::path matrices = writeMatrices(dir / "matrices");
  fs::remove(matrices / "zerodiag.mtx");
  fs::create_directories(matrices / "folder.mtx");                  // a folder named like a matrix
  fs::create_symlink(dir / "nowhere.mtx", matrices / "broken.mtx"); // a broken link
  std::ofstream(matrices / "truncated.mtx")
      << "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 1\n2 2 1\n3 3 1\n";
  const fs::path none = writeRunList(dir / "none.xml", "None");
  const fs::path out = dir / "out";

  ASSERT_EQ(runBench(matrices, out, "--params=" + none.string()), 0) << readAll(out.string() + ".log");
  const std::string log = readAll(out.string() + ".log");
  EXPECT_NE(log.find("skipping '" + (matrices / "folder.mtx").string() + "': not a regular file"), std::string::npos)
      << log;
  EXPECT_NE(log.find("skipping '" + (matrices / "broken.mtx").string() + "': not a regular file"), std::string::npos)
      << log;
  const std::string report = readAll(out / "report.md");
  EXPECT_NE(report.find("## Matrices that could not be read"), std::string::npos) << report;
  EXPECT_NE(report.find("the size line promises 5 entries but the file holds 3"), std::string::npos) << report;
  const auto rows = readSummary(out);
  ASSERT_EQ(rows.size(), 2u); // convdiff on both right-hand sides; truncated counts as no preconditioner's failure
  for (const auto& r : rows) EXPECT_EQ(r.at("matrix"), "convdiff");

  // The same --out with other runs: refused, not mixed with the old results.
  const fs::path jacobi = writeRunList(dir / "jacobi.xml", "RELAXATION");
  EXPECT_NE(runBench(matrices, out, "--params=" + jacobi.string()), 0);
  EXPECT_NE(readAll(out.string() + ".log").find("holds results made with other runs or rank count"), std::string::npos)
      << readAll(out.string() + ".log");

  // Two matrices with one name in different folders: refused before any case runs.
  fs::create_directories(dir / "other");
  fs::copy_file(matrices / "convdiff.mtx", dir / "other" / "convdiff.mtx");
  const fs::path twice = dir / "twice";
  EXPECT_NE(runBench((matrices / "convdiff.mtx").string() + "," + (dir / "other" / "convdiff.mtx").string(), twice,
                     "--params=" + none.string()),
            0);
  EXPECT_NE(readAll(twice.string() + ".log").find("have the same name"), std::string::npos)
      << readAll(twice.string() + ".log");
}
