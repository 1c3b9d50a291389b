#include "log/checkpoint.h"

#include <algorithm>

#include <fmt/format.h>

namespace aidtrace::log {

namespace {

constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
constexpr std::string_view kExtraPrefix = "extra ";
constexpr std::string_view kIndexPrefix = "index ";
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 em dash, space
// An inclusion proof in a tree of fewer than 2^64 leaves has at most 64 hashes.
constexpr size_t kMaxInclusionHashes = 64;

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// Base64Decode, with the empty text (the encoding of no bytes) answered here: the
// base codec hands libsodium a null buffer for empty data, which UBSan flags.
Result<Bytes> DecodeBase64(std::string_view text) {
  if (text.empty()) return Bytes{};
  return Base64Decode(text);
}

// Signed notes must be valid UTF-8 without ASCII control characters other than "\n".
Status CheckNoteText(std::string_view text, std::string_view what) {
  if (!IsValidUtf8(text)) return Invalid(fmt::format("{} is not valid UTF-8", what));
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return Invalid(fmt::format("{} contains the control character 0x{:02x}", what,
                                 static_cast<unsigned>(static_cast<unsigned char>(c))));
    }
  }
  return Status::Ok();
}

// Splits text made of "\n"-terminated lines. The text must end with "\n".
Result<std::vector<std::string_view>> SplitLines(std::string_view text, std::string_view what) {
  if (text.empty() || text.back() != '\n') {
    return Invalid(fmt::format("{} must end with a newline", what));
  }
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

// ASCII decimal without leading zeros ("0" alone is zero) that fits in 64 bits.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

Result<Hash> ParseBase64Hash(std::string_view s, std::string_view what) {
  auto bytes = DecodeBase64(s);
  if (!bytes.ok()) {
    return Invalid(
        fmt::format("{} is not canonical standard base64: {}", what, bytes.status().message()));
  }
  if (bytes->size() != 32) {
    return Invalid(fmt::format("{} is {} bytes, want 32", what, bytes->size()));
  }
  Hash h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

// Takes the next "\n"-terminated line of `text` at `pos`, advancing `pos`.
Result<std::string_view> NextLine(std::string_view text, size_t& pos, std::string_view what) {
  const size_t nl = text.find('\n', pos);
  if (nl == std::string_view::npos) {
    return Invalid(fmt::format("tlog proof ends before its {}", what));
  }
  std::string_view line = text.substr(pos, nl - pos);
  pos = nl + 1;
  return line;
}

}  // namespace

Status ValidateCheckpoint(const Checkpoint& c) {
  if (c.origin.empty()) return Invalid("checkpoint origin is empty");
  if (c.origin.find('\n') != std::string::npos) {
    return Invalid("checkpoint origin contains a newline");
  }
  RETURN_IF_ERROR(CheckNoteText(c.origin, "checkpoint origin"));
  for (size_t i = 0; i < c.extensions.size(); ++i) {
    const std::string& e = c.extensions[i];
    const std::string what = fmt::format("checkpoint extension line {}", i);
    if (e.empty()) return Invalid(what + " is empty");
    if (e.find('\n') != std::string::npos) return Invalid(what + " contains a newline");
    RETURN_IF_ERROR(CheckNoteText(e, what));
  }
  return Status::Ok();
}

std::string FormatCheckpointBody(const Checkpoint& c) {
  std::string out = fmt::format("{}\n{}\n{}\n", c.origin, c.size, Base64Encode(c.root));
  for (const std::string& e : c.extensions) {
    out += e;
    out += '\n';
  }
  return out;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body) {
  RETURN_IF_ERROR(CheckNoteText(body, "checkpoint"));
  ASSIGN_OR_RETURN(std::vector<std::string_view> lines, SplitLines(body, "checkpoint"));
  if (lines.size() < 3) {
    return Invalid(
        fmt::format("checkpoint has {} lines, want at least 3 (origin, size, root)", lines.size()));
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) return Invalid(fmt::format("checkpoint line {} is empty", i + 1));
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  const std::optional<uint64_t> size = ParseDecimal(lines[1]);
  if (!size) {
    return Invalid(
        "checkpoint tree size (line 2) is not a decimal without leading zeros "
        "below 2^64");
  }
  c.size = *size;
  ASSIGN_OR_RETURN(c.root, ParseBase64Hash(lines[2], "checkpoint root hash (line 3)"));
  c.extensions.assign(lines.begin() + 3, lines.end());
  return c;
}

Result<Checkpoint> ParseCheckpointNote(std::string_view signed_note) {
  RETURN_IF_ERROR(CheckNoteText(signed_note, "signed checkpoint"));
  if (signed_note.empty() || signed_note.back() != '\n') {
    return Invalid("signed checkpoint must end with a newline");
  }
  // The note text ends at the last blank line; signature lines follow it.
  const size_t blank = signed_note.rfind("\n\n");
  if (blank == std::string_view::npos) {
    return Invalid("signed checkpoint has no blank line before its signatures");
  }
  const std::string_view body = signed_note.substr(0, blank + 1);
  const std::string_view signatures = signed_note.substr(blank + 2);
  if (signatures.empty()) return Invalid("signed checkpoint has no signature lines");
  ASSIGN_OR_RETURN(std::vector<std::string_view> sig_lines,
                   SplitLines(signatures, "checkpoint signatures"));
  for (std::string_view line : sig_lines) {
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return Invalid(
          "signed checkpoint signature line does not start with an em dash and a "
          "space");
    }
  }
  return ParseCheckpointBody(body);
}

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out(kTlogProofHeader);
  out += '\n';
  if (proof.extra) {
    out += kExtraPrefix;
    // (Empty extra data encodes to nothing; base's encoder is not asked, see above.)
    if (!proof.extra->empty()) out += Base64Encode(*proof.extra);
    out += '\n';
  }
  out += fmt::format("{}{}\n", kIndexPrefix, proof.index);
  out += FormatProofHashes(proof.hashes);
  out += '\n';
  out += proof.checkpoint;
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  RETURN_IF_ERROR(CheckNoteText(text, "tlog proof"));
  size_t pos = 0;
  ASSIGN_OR_RETURN(std::string_view line, NextLine(text, pos, "header line"));
  if (line != kTlogProofHeader) {
    return Invalid(fmt::format("tlog proof does not start with \"{}\"", kTlogProofHeader));
  }
  TlogProof proof;
  ASSIGN_OR_RETURN(line, NextLine(text, pos, "index line"));
  if (line.substr(0, kExtraPrefix.size()) == kExtraPrefix) {
    auto extra = DecodeBase64(line.substr(kExtraPrefix.size()));
    if (!extra.ok()) {
      return Invalid("tlog proof extra data is not canonical standard base64: " +
                     extra.status().message());
    }
    proof.extra = std::move(extra).value();
    ASSIGN_OR_RETURN(line, NextLine(text, pos, "index line"));
  }
  if (line.substr(0, kIndexPrefix.size()) != kIndexPrefix) {
    return Invalid("tlog proof has no \"index <n>\" line after its header");
  }
  const std::optional<uint64_t> index = ParseDecimal(line.substr(kIndexPrefix.size()));
  if (!index) {
    return Invalid("tlog proof index is not a decimal without leading zeros below 2^64");
  }
  proof.index = *index;
  for (;;) {
    ASSIGN_OR_RETURN(line, NextLine(text, pos, "blank line before the checkpoint"));
    if (line.empty()) break;
    if (proof.hashes.size() == kMaxInclusionHashes) {
      return Invalid(fmt::format("tlog proof has more than {} hashes", kMaxInclusionHashes));
    }
    ASSIGN_OR_RETURN(Hash h,
                     ParseBase64Hash(line, fmt::format("tlog proof hash {}", proof.hashes.size())));
    proof.hashes.push_back(h);
  }
  proof.checkpoint = std::string(text.substr(pos));
  if (proof.checkpoint.empty()) return Invalid("tlog proof has no checkpoint");
  auto checkpoint = ParseCheckpointNote(proof.checkpoint);
  if (!checkpoint.ok()) return checkpoint.status().WithContext("tlog proof");
  return proof;
}

Status VerifyTlogProofInclusion(const TlogProof& proof, const Hash& leaf_hash) {
  ASSIGN_OR_RETURN(Checkpoint c, ParseCheckpointNote(proof.checkpoint));
  return VerifyInclusion(proof.index, c.size, leaf_hash, proof.hashes, c.root);
}

std::string FormatProofHashes(std::span<const Hash> hashes) {
  std::string out;
  out.reserve(hashes.size() * 45);
  for (const Hash& h : hashes) {
    out += Base64Encode(h);
    out += '\n';
  }
  return out;
}

Result<std::vector<Hash>> ParseProofHashes(std::string_view text) {
  std::vector<Hash> hashes;
  if (text.empty()) return hashes;
  ASSIGN_OR_RETURN(std::vector<std::string_view> lines, SplitLines(text, "proof"));
  hashes.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSIGN_OR_RETURN(Hash h, ParseBase64Hash(lines[i], fmt::format("proof line {}", i + 1)));
    hashes.push_back(h);
  }
  return hashes;
}

}  // namespace aidtrace::log
