// docs/EVENTS.md cannot drift: every example envelope decodes as the ledger decodes it,
// sits under the heading of its own type, and every one of the 40 types has one; every
// example body passes its type's shape rules; the role table agrees with the one the code
// enforces.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "event/envelope.h"
#include "mechanism/directory.h"
#include "mechanism/roles.h"

namespace aidtrace::mechanism {
namespace {

std::string ReadDoc() {
  std::ifstream in(AIDTRACE_EVENTS_DOC);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Block {
  std::string kind;  // "event" or "private"
  std::string section;
  int line;
  std::string text;
};

std::vector<Block> Blocks(const std::string& doc) {
  std::vector<Block> out;
  std::istringstream in(doc);
  std::string line, section;
  bool in_block = false;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!in_block && line.rfind("### `", 0) == 0) {
      section = line.substr(5, line.find('`', 5) - 5);
    } else if (!in_block && (line == "```json event" || line == "```json private")) {
      in_block = true;
      out.push_back({line.substr(8), section, line_no, ""});
    } else if (in_block && line == "```") {
      in_block = false;
    } else if (in_block) {
      out.back().text += line + "\n";
    }
  }
  return out;
}

TEST(EventsDoc, EveryTypeHasAnExampleThatDecodes) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "cannot read " << AIDTRACE_EVENTS_DOC;
  const std::vector<Block> blocks = Blocks(doc);
  std::map<std::string, int> examples;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.kind != "event") continue;
    // An example with personal data is followed by its private record.
    std::string submission = b.text;
    if (i + 1 < blocks.size() && blocks[i + 1].kind == "private") {
      submission = "{\"envelope\":" + b.text + ",\"private\":" + blocks[i + 1].text + "}";
    }
    auto sub = event::DecodeSubmission(submission);
    ASSERT_TRUE(sub.ok()) << "EVENTS.md:" << b.line << ": " << sub.status().ToString();
    EXPECT_EQ(sub->envelope.type, b.section) << "EVENTS.md:" << b.line;
    EXPECT_TRUE(IsKnownEventType(sub->envelope.type)) << sub->envelope.type;
    ++examples[sub->envelope.type];
  }
  EXPECT_EQ(examples.size(), 40u);
  for (const auto& [type, n] : examples) EXPECT_EQ(n, 1) << type;
}

// Every example body passes its type's shape rules: applied after the example genesis (and
// nothing else), an example may fail on the state (unknown ids, roles, quorums) but never
// as malformed (bad_envelope, limit) or with a private record that does not match.
TEST(EventsDoc, EveryExampleBodyPassesItsShapeRules) {
  const std::vector<Block> blocks = Blocks(ReadDoc());
  Directory state;
  uint64_t seq = 0;
  int checked = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.kind != "event") continue;
    std::string submission = b.text;
    if (i + 1 < blocks.size() && blocks[i + 1].kind == "private") {
      submission = "{\"envelope\":" + b.text + ",\"private\":" + blocks[i + 1].text + "}";
    }
    auto sub = event::DecodeSubmission(submission);
    ASSERT_TRUE(sub.ok()) << "EVENTS.md:" << b.line << ": " << sub.status().ToString();
    const bool genesis = sub->envelope.type == "mechanism.genesis";
    const Status s = state.Apply(*sub, {genesis ? 0 : ++seq, "2026-11-23T10:00:00Z"});
    if (genesis) {
      ASSERT_TRUE(s.ok()) << "EVENTS.md:" << b.line << ": " << s.ToString();
      continue;
    }
    EXPECT_NE(s.code(), ErrorCode::kBadEnvelope) << "EVENTS.md:" << b.line << ": " << s.ToString();
    EXPECT_NE(s.code(), ErrorCode::kLimit) << "EVENTS.md:" << b.line << ": " << s.ToString();
    EXPECT_NE(s.code(), ErrorCode::kPiiMismatch) << "EVENTS.md:" << b.line << ": " << s.ToString();
    ++checked;
  }
  EXPECT_EQ(checked, 39);
}

// Each role the table marks with ✓ for a type signed by roles alone is one the code
// allows, and the other way round.
TEST(EventsDoc, RoleTableMatchesTheCode) {
  const std::string doc = ReadDoc();
  std::istringstream in(doc);
  std::string line;
  std::vector<std::string> header;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.rfind("| type", 0) == 0 || line.rfind("| event type", 0) == 0) {
      header.clear();
      std::istringstream cells(line);
      for (std::string cell; std::getline(cells, cell, '|');) {
        const auto a = cell.find_first_not_of(' ');
        const auto b = cell.find_last_not_of(' ');
        header.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
      }
      continue;
    }
    if (header.empty() || line.rfind("| `", 0) != 0) {
      if (!header.empty() && line.empty()) header.clear();
      continue;
    }
    std::vector<std::string> cells;
    std::istringstream cs(line);
    for (std::string cell; std::getline(cs, cell, '|');) cells.push_back(cell);
    const std::string type =
        cells[1].substr(cells[1].find('`') + 1, cells[1].rfind('`') - cells[1].find('`') - 1);
    const auto allowed = RolesFor(type);
    if (allowed.empty()) continue;  // quorum and any-party types: covered by the rule cases
    for (size_t i = 2; i < cells.size() && i < header.size(); ++i) {
      const bool marked = cells[i].find("✓") != std::string::npos;
      const bool coded = std::find(allowed.begin(), allowed.end(), header[i]) != allowed.end();
      // Governors sign by quorum; the quorum and detector columns are not roles.
      if (header[i] == "governor" || header[i] == "quorum" || header[i] == "detector") continue;
      EXPECT_EQ(marked, coded) << type << " / " << header[i];
      ++checked;
    }
  }
  EXPECT_GT(checked, 100) << "the role table was not found in docs/EVENTS.md";
}

}  // namespace
}  // namespace aidtrace::mechanism
