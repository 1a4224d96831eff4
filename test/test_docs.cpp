// The documentation against the repository: every Markdown link and every
// repository path the README, CHANGELOG and docs/ name must exist, nothing may
// point outside the repository, and the parameter tables must be
// Gnp::Preconditioner::getValidParameters(), names, types and defaults.
#include <gtest/gtest.h>

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_Map.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "Gnp_Preconditioner.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = GNP_SOURCE_DIR;

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// README.md, CHANGELOG.md and every Markdown file under docs/.
std::vector<fs::path> markdownFiles() {
  std::vector<fs::path> files = {kRoot / "README.md", kRoot / "CHANGELOG.md"};
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "docs"))
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string repoPath(const fs::path& path) { return fs::relative(path, kRoot).generic_string(); }

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'.
std::string slug(const std::string& heading) {
  std::string s;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_' || c >= 0x80)
      s += static_cast<char>(std::tolower(c));
    else if (c == ' ')
      s += '-';
  }
  return s;
}

std::set<std::string> anchors(const fs::path& markdown) {
  std::set<std::string> result;
  std::istringstream lines(readText(markdown));
  std::string line;
  bool inCode = false;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) inCode = !inCode;
    if (inCode || line.empty() || line[0] != '#') continue;
    const auto start = line.find_first_not_of('#');
    if (start == std::string::npos) continue;
    result.insert(slug(line.substr(line.find_first_not_of(' ', start))));
  }
  return result;
}

/// The text outside fenced code blocks (links in code are not links).
std::string prose(const std::string& text) {
  std::istringstream lines(text);
  std::string line, out;
  bool inCode = false;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) {
      inCode = !inCode;
      continue;
    }
    if (!inCode) out += line + "\n";
  }
  return out;
}

TEST(Docs, EveryMarkdownLinkPointsToAFileAndHeadingInTheRepository) {
  const std::regex link(R"(\]\(([^)\s]+)\))");
  int checked = 0;
  for (const auto& file : markdownFiles()) {
    const std::string text = prose(readText(file));
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator(); ++it) {
      const std::string target = (*it)[1];
      if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) continue;
      const auto hash = target.find('#');
      const std::string pathPart = target.substr(0, hash);
      const fs::path resolved = pathPart.empty() ? file : (file.parent_path() / pathPart).lexically_normal();
      ++checked;
      EXPECT_TRUE(fs::exists(resolved)) << repoPath(file) << " links to " << target << ", which does not exist";
      const bool insideRepository = repoPath(resolved).rfind("..", 0) != 0;
      EXPECT_TRUE(insideRepository) << repoPath(file) << " links outside the repository: " << target;
      if (hash != std::string::npos && fs::exists(resolved) && resolved.extension() == ".md") {
        const std::string anchor = target.substr(hash + 1);
        EXPECT_EQ(anchors(resolved).count(anchor), 1u)
            << repoPath(file) << " links to heading #" << anchor << " that " << repoPath(resolved) << " lacks";
      }
    }
  }
  EXPECT_GT(checked, 20); // the README and docs/ link to each other
}

TEST(Docs, EveryRepositoryPathNamedInTheDocsExists) {
  // A path that starts with one of the repository's top-level folders, in prose
  // or in a code block (commands name scripts and example files).
  const std::regex path(R"((^|[\s`(\[=,])((src|bench|example|docs|scripts|test|cmake)/[A-Za-z0-9_./-]*))");
  const std::regex module(R"(`(Gnp_[A-Za-z]+)(\.hpp|\.cpp)?`)");
  std::set<std::string> stems;
  for (const char* folder : {"src", "bench", "test"})
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / folder))
      stems.insert(entry.path().stem().string());
  int checked = 0;
  for (const auto& file : markdownFiles()) {
    const std::string text = readText(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), path); it != std::sregex_iterator(); ++it) {
      std::string named = (*it)[2];
      while (!named.empty() && (named.back() == '.' || named.back() == ',')) named.pop_back();
      ++checked;
      EXPECT_TRUE(fs::exists(kRoot / named)) << repoPath(file) << " names " << named << ", which does not exist";
    }
    for (auto it = std::sregex_iterator(text.begin(), text.end(), module); it != std::sregex_iterator(); ++it) {
      ++checked;
      EXPECT_EQ(stems.count((*it)[1]), 1u) << repoPath(file) << " names " << (*it)[0] << ": no such source file";
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(Docs, NothingRefersToAPathOutsideTheRepository) {
  for (const auto& file : markdownFiles()) {
    const std::string text = readText(file);
    for (const char* outside : {"../shared", "/work/", "/root/"})
      EXPECT_EQ(text.find(outside), std::string::npos) << repoPath(file) << " refers to " << outside;
  }
}

struct Row {
  std::string type, defaultValue;
};

/// The rows "| `gnp: name` | type | default | ... |" of a Markdown file.
std::map<std::string, Row> parameterTable(const fs::path& markdown) {
  std::map<std::string, Row> rows;
  const std::regex row(R"(^\| `(gnp: [^`]+)` \| ([a-z]+) \| ([^|]*) \|)");
  std::istringstream lines(readText(markdown));
  std::string line;
  std::smatch m;
  while (std::getline(lines, line))
    if (std::regex_search(line, m, row)) {
      std::string value = m[3];
      value.erase(value.find_last_not_of(' ') + 1);
      EXPECT_EQ(rows.count(m[1]), 0u) << repoPath(markdown) << " lists " << m[1] << " twice";
      rows[m[1]] = {m[2], value};
    }
  return rows;
}

// complete: every valid parameter must have a row (the user guide's table);
// otherwise the rows shown must be right (the README's).
void expectTableMatchesValidParameters(const fs::path& markdown, bool complete) {
  using Node = Tpetra::Map<>::node_type;
  const auto valid = Gnp::Preconditioner<double, int, long long, Node>::getValidParameters();
  const auto table = parameterTable(markdown);
  const std::string where = repoPath(markdown);
  std::set<std::string> validNames;
  for (auto it = valid->begin(); it != valid->end(); ++it) {
    const std::string& name = valid->name(it);
    validNames.insert(name);
    const auto row = table.find(name);
    if (row == table.end()) {
      if (complete) ADD_FAILURE() << where << "'s parameter table lacks " << name;
      continue;
    }
    const auto& entry = valid->entry(it);
    const std::string& shown = row->second.defaultValue;
    if (entry.isType<int>()) {
      EXPECT_EQ(row->second.type, "int") << where << ": " << name;
      EXPECT_EQ(shown, std::to_string(entry.getValue<int>(nullptr))) << where << ": default of " << name;
    } else if (entry.isType<double>()) {
      EXPECT_EQ(row->second.type, "double") << where << ": " << name;
      EXPECT_EQ(std::strtod(shown.c_str(), nullptr), entry.getValue<double>(nullptr))
          << where << ": default of " << name << " is shown as " << shown;
    } else if (entry.isType<std::string>()) {
      EXPECT_EQ(row->second.type, "string") << where << ": " << name;
      EXPECT_EQ(shown, "\"" + entry.getValue<std::string>(nullptr) + "\"") << where << ": default of " << name;
    } else if (entry.isType<bool>()) {
      EXPECT_EQ(row->second.type, "bool") << where << ": " << name;
      EXPECT_EQ(shown, entry.getValue<bool>(nullptr) ? "true" : "false") << where << ": default of " << name;
    } else if (entry.isList()) {
      EXPECT_EQ(row->second.type, "list") << where << ": " << name;
      EXPECT_EQ(shown, entry.getValue<Teuchos::ParameterList>(nullptr).numParams() == 0 ? "empty" : "?")
          << where << ": default of " << name;
    } else {
      ADD_FAILURE() << name << " has a type this test does not know";
    }
  }
  for (const auto& [name, row] : table)
    EXPECT_EQ(validNames.count(name), 1u) << where << " lists " << name << ", which getValidParameters() lacks";
}

TEST(Docs, ReadmeParameterRowsAreValidParametersWithTheirDefaults) {
  expectTableMatchesValidParameters(kRoot / "README.md", false);
  EXPECT_GE(parameterTable(kRoot / "README.md").size(), 5u);
}

TEST(Docs, UserGuideParameterTableIsTheValidParameterList) {
  expectTableMatchesValidParameters(kRoot / "docs" / "user-guide.md", true);
}

} // namespace
