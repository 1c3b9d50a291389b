// The Merkle verifiers and proof generators against the public vectors in
// shared/testdata/merkle: every file of transparency-dev/merkle's testdata (happy paths
// and their tampered twins) and the classic RFC 6962 8-leaf tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "log/memory_hashes.h"
#include "log/merkle.h"
#include "testing/shared.h"

namespace aidtrace::log {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kVectorFileCount = 518;

fs::path VectorDir() {
  return testing::SharedDir() / "testdata/merkle/transparency-dev-merkle/testdata";
}

Bytes B64(const json& v) {
  if (v.is_null() || v.get<std::string>().empty()) return {};
  auto r = Base64Decode(v.get<std::string>());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Bytes{};
}

std::vector<Bytes> B64List(const json& v) {
  std::vector<Bytes> out;
  if (v.is_null()) return out;
  for (const auto& e : v) out.push_back(B64(e));
  return out;
}

Bytes Hex(std::string_view s) {
  if (s.empty()) return {};  // base's HexDecode("") trips UBSan (null buffer to libsodium)
  auto r = HexDecode(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Bytes{};
}

Hash ToHashOrDie(const Bytes& b) {
  EXPECT_EQ(b.size(), 32u);
  Hash h{};
  std::copy_n(b.begin(), std::min<size_t>(b.size(), 32), h.begin());
  return h;
}

std::vector<Hash> ToHashes(const std::vector<Bytes>& v) {
  std::vector<Hash> out;
  for (const auto& b : v) out.push_back(ToHashOrDie(b));
  return out;
}

bool AllHashSized(const std::vector<Bytes>& v) {
  return std::all_of(v.begin(), v.end(), [](const Bytes& b) { return b.size() == 32; });
}

// Runs the verifier that matches the vector's folder; returns its Status. When every
// hash in the vector is 32 bytes long, the Hash overload must agree with the byte one.
Status RunVector(const std::string& kind, const json& j) {
  if (kind == "inclusion" || kind == "subtreeinclusion") {
    const Bytes leaf = B64(j["leafHash"]);
    const Bytes root = B64(j["root"]);
    const std::vector<Bytes> proof = B64List(j["proof"]);
    const uint64_t index = j["leafIdx"].get<uint64_t>();
    Status s;
    std::optional<Status> typed;
    const bool sized = leaf.size() == 32 && root.size() == 32 && AllHashSized(proof);
    if (kind == "inclusion") {
      const uint64_t size = j["treeSize"].get<uint64_t>();
      s = VerifyInclusion(index, size, leaf, proof, root);
      if (sized) {
        typed = VerifyInclusion(index, size, ToHashOrDie(leaf), ToHashes(proof), ToHashOrDie(root));
      }
    } else {
      const uint64_t start = j["start"].get<uint64_t>();
      const uint64_t end = j["end"].get<uint64_t>();
      s = VerifySubtreeInclusion(index, start, end, leaf, proof, root);
      if (sized) {
        typed = VerifySubtreeInclusion(index, start, end, ToHashOrDie(leaf), ToHashes(proof),
                                       ToHashOrDie(root));
      }
    }
    if (typed) {
      EXPECT_EQ(typed->ok(), s.ok()) << "typed overload disagrees: " << typed->ToString();
    }
    return s;
  }
  const Bytes root1 = B64(j["root1"]);
  const Bytes root2 = B64(j["root2"]);
  const std::vector<Bytes> proof = B64List(j["proof"]);
  const bool sized = root1.size() == 32 && root2.size() == 32 && AllHashSized(proof);
  Status s;
  std::optional<Status> typed;
  if (kind == "consistency") {
    const uint64_t size1 = j["size1"].get<uint64_t>();
    const uint64_t size2 = j["size2"].get<uint64_t>();
    s = VerifyConsistency(size1, size2, proof, root1, root2);
    if (sized) {
      typed =
          VerifyConsistency(size1, size2, ToHashes(proof), ToHashOrDie(root1), ToHashOrDie(root2));
    }
  } else {
    const uint64_t start = j["start"].get<uint64_t>();
    const uint64_t end = j["end"].get<uint64_t>();
    const uint64_t size = j["size"].get<uint64_t>();
    s = VerifySubtreeConsistency(start, end, size, proof, root1, root2);
    if (sized) {
      typed = VerifySubtreeConsistency(start, end, size, ToHashes(proof), ToHashOrDie(root1),
                                       ToHashOrDie(root2));
    }
  }
  if (typed) {
    EXPECT_EQ(typed->ok(), s.ok()) << "typed overload disagrees: " << typed->ToString();
  }
  return s;
}

TEST(MerkleVectors, EveryTransparencyDevFileVerifiesOrIsRejected) {
  AIDTRACE_REQUIRE_SHARED("testdata/merkle/transparency-dev-merkle/testdata");
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(VectorDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), kVectorFileCount);

  std::map<std::string, int> accepted, rejected;
  std::vector<std::string> mismatches;
  for (const fs::path& file : files) {
    const std::string rel = fs::relative(file, VectorDir()).generic_string();
    const std::string kind = rel.substr(0, rel.find('/'));
    ASSERT_TRUE(kind == "inclusion" || kind == "consistency" || kind == "subtreeinclusion" ||
                kind == "subtreeconsistency")
        << rel;
    const json j = json::parse(testing::ReadFileOrDie(file));
    const bool want_err = j.at("wantErr").get<bool>();
    const Status s = RunVector(kind, j);
    if (s.ok() == want_err) {
      mismatches.push_back(rel + " (" + j.value("desc", "") +
                           "): wantErr=" + (want_err ? "true" : "false") + ", got " + s.ToString());
    } else if (!s.ok()) {
      EXPECT_EQ(s.code(), ErrorCode::kCorrupt) << rel << ": " << s.ToString();
      EXPECT_FALSE(s.message().empty()) << rel;
    }
    (s.ok() ? accepted : rejected)[kind]++;
  }
  for (const auto& m : mismatches) ADD_FAILURE() << m;
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " of " << files.size() << " mismatch";
  // The split recorded when the files were copied (README.md).
  EXPECT_EQ(accepted["inclusion"], 6);
  EXPECT_EQ(rejected["inclusion"], 92);
  EXPECT_EQ(accepted["consistency"], 6);
  EXPECT_EQ(rejected["consistency"], 92);
  EXPECT_EQ(accepted["subtreeinclusion"], 12);
  EXPECT_EQ(rejected["subtreeinclusion"], 192);
  EXPECT_EQ(accepted["subtreeconsistency"], 12);
  EXPECT_EQ(rejected["subtreeconsistency"], 106);
}

// ---- The RFC 6962 8-leaf tree ----------------------------------------------------

class Rfc6962Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    AIDTRACE_REQUIRE_SHARED("testdata/merkle/rfc6962-tree-vectors.json");
    vectors_ = json::parse(
        testing::ReadFileOrDie(testing::SharedDir() / "testdata/merkle/rfc6962-tree-vectors.json"));
    for (const auto& hex : vectors_["leaf_inputs_hex"]) {
      leaves_.push_back(Hex(hex.get<std::string>()));
    }
    ASSERT_EQ(leaves_.size(), 8u);
    store_.AppendLeaves(leaves_);
  }

  Hash RootForSize(uint64_t size) const {
    return ToHashOrDie(
        Hex(vectors_["root_hashes_by_tree_size"][std::to_string(size)].get<std::string>()));
  }

  json vectors_;
  std::vector<Bytes> leaves_;
  MemoryHashes store_;
};

TEST_F(Rfc6962Tree, HasherVectors) {
  int checked = 0;
  for (const auto& v : vectors_["hasher_vectors"]) {
    const Hash want = ToHashOrDie(Hex(v["want"].get<std::string>()));
    const std::string op = v["op"].get<std::string>();
    if (op == "empty_root") {
      EXPECT_EQ(EmptyRoot(), want);
    } else if (op == "hash_leaf") {
      EXPECT_EQ(HashLeaf(Hex(v["input_hex"].get<std::string>())), want) << v["desc"];
    } else if (op == "hash_children") {
      // The vector's children are short ASCII strings, not hashes: check the
      // construction SHA-256(0x01 || l || r) it defines, and that HashChildren is it.
      Bytes buf{0x01};
      const Bytes l = Hex(v["left_hex"].get<std::string>());
      const Bytes r = Hex(v["right_hex"].get<std::string>());
      buf.insert(buf.end(), l.begin(), l.end());
      buf.insert(buf.end(), r.begin(), r.end());
      EXPECT_EQ(crypto::Sha256(std::span<const uint8_t>(buf)), want);
      const Hash a = HashLeaf(l), b = HashLeaf(r);
      Bytes ab{0x01};
      ab.insert(ab.end(), a.begin(), a.end());
      ab.insert(ab.end(), b.begin(), b.end());
      EXPECT_EQ(HashChildren(a, b), crypto::Sha256(std::span<const uint8_t>(ab)));
    } else {
      ADD_FAILURE() << "unknown hasher op " << op;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST_F(Rfc6962Tree, AllNodeHashes) {
  const auto& levels = vectors_["node_hashes_by_level"]["levels"];
  ASSERT_EQ(levels.size(), 4u);
  int checked = 0;
  for (uint32_t level = 0; level < levels.size(); ++level) {
    for (uint64_t index = 0; index < levels[level].size(); ++index) {
      const NodeId id{level, index};
      Hash got{};
      ASSERT_TRUE(
          store_.ReadHashes(std::span<const NodeId>(&id, 1), std::span<Hash>(&got, 1)).ok());
      EXPECT_EQ(got, ToHashOrDie(Hex(levels[level][index].get<std::string>())))
          << "level " << level << " index " << index;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 15);
  // Leaf hashes are HashLeaf of the inputs.
  for (size_t i = 0; i < leaves_.size(); ++i) {
    EXPECT_EQ(HashLeaf(leaves_[i]), ToHashOrDie(Hex(levels[0][i].get<std::string>())));
  }
}

TEST_F(Rfc6962Tree, RootsForSizes0To8) {
  Frontier f;
  std::vector<std::pair<NodeId, Hash>> completed;
  for (uint64_t size = 0; size <= 8; ++size) {
    EXPECT_EQ(f.Root(), RootForSize(size)) << "frontier, size " << size;
    auto at = RootAt(size, store_);
    ASSERT_TRUE(at.ok()) << at.status().ToString();
    EXPECT_EQ(*at, RootForSize(size)) << "RootAt, size " << size;
    auto loaded = Frontier::Load(size, store_);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->Root(), RootForSize(size)) << "Load, size " << size;
    if (size < 8) f.Append(HashLeaf(leaves_[size]), completed);
  }
}

TEST_F(Rfc6962Tree, GeneratedProofsVerify) {
  for (uint64_t size = 1; size <= 8; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(index, size, store_);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_TRUE(
          VerifyInclusion(index, size, HashLeaf(leaves_[index]), *proof, RootForSize(size)).ok())
          << index << "/" << size;
    }
    for (uint64_t old_size = 1; old_size <= size; ++old_size) {
      auto proof = ConsistencyProof(old_size, size, store_);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      const Status s =
          VerifyConsistency(old_size, size, *proof, RootForSize(old_size), RootForSize(size));
      EXPECT_TRUE(s.ok()) << old_size << " -> " << size << ": " << s.ToString();
    }
  }
}

// The happy-path vector proofs (over this same tree) equal the ones we generate.
TEST_F(Rfc6962Tree, GeneratedProofsEqualVectorProofs) {
  AIDTRACE_REQUIRE_SHARED("testdata/merkle/transparency-dev-merkle/testdata");
  int compared = 0;
  for (const std::string kind :
       {"inclusion", "consistency", "subtreeinclusion", "subtreeconsistency"}) {
    for (int n = 0; n <= 4; ++n) {
      const fs::path file = VectorDir() / kind / std::to_string(n) / "happy-path.json";
      ASSERT_TRUE(fs::exists(file)) << file;
      const json j = json::parse(testing::ReadFileOrDie(file));
      const std::vector<Hash> want = ToHashes(B64List(j["proof"]));
      Result<std::vector<Hash>> got = Status(ErrorCode::kInternal, "unset");
      if (kind == "inclusion") {
        const uint64_t size = j["treeSize"].get<uint64_t>();
        got = InclusionProof(j["leafIdx"].get<uint64_t>(), size, store_);
        EXPECT_EQ(ToHashOrDie(B64(j["root"])), RootForSize(size));
      } else if (kind == "consistency") {
        got = ConsistencyProof(j["size1"].get<uint64_t>(), j["size2"].get<uint64_t>(), store_);
      } else if (kind == "subtreeinclusion") {
        got = SubtreeInclusionProof(j["leafIdx"].get<uint64_t>(), j["start"].get<uint64_t>(),
                                    j["end"].get<uint64_t>(), store_);
      } else {
        got = SubtreeConsistencyProof(j["start"].get<uint64_t>(), j["end"].get<uint64_t>(),
                                      j["size"].get<uint64_t>(), store_);
      }
      ASSERT_TRUE(got.ok()) << file << ": " << got.status().ToString();
      EXPECT_EQ(*got, want) << file;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 20);
}

}  // namespace
}  // namespace aidtrace::log
