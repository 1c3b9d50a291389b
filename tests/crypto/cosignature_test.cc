// C2SP tlog-cosignature v1 (Ed25519, type 0x04) on top of signed notes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/encoding.h"
#include "crypto/note.h"
#include "testing/fault_env.h"

namespace aidtrace::crypto {
namespace {

constexpr std::string_view kBody =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

struct Keys {
  Keys() {
    env.SeedRandom(2024);
    log = *GenerateSignerKey("example.com/behind-the-sofa", env);
    witness = *GenerateSignerKey("witness.example.com/w1", env, KeyType::kCosignatureV1);
    other = *GenerateSignerKey("witness.example.com/w2", env, KeyType::kCosignatureV1);
  }
  ::aidtrace::testing::FaultEnv env;
  SignerKey log, witness, other;
};

std::string Checkpoint(const Keys& k) {
  const SignerKey* signers[] = {&k.log};
  return *SignNote(kBody, signers);
}

TEST(CosignatureTest, MessageFormat) {
  auto msg = CosignatureMessage(kBody, 1679315147);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(*msg, "cosignature/v1\ntime 1679315147\n" + std::string(kBody));
  EXPECT_EQ(*CosignatureMessage(kBody, 0), "cosignature/v1\ntime 0\n" + std::string(kBody));
  EXPECT_EQ(*CosignatureMessage(kBody, kMaxCosignatureTime),
            "cosignature/v1\ntime 9223372036854775807\n" + std::string(kBody));
  // Extension lines are part of the signed body.
  const std::string ext = std::string(kBody) + "extension line\n";
  EXPECT_EQ(*CosignatureMessage(ext, 5), "cosignature/v1\ntime 5\n" + ext);

  EXPECT_EQ(CosignatureMessage(kBody, kMaxCosignatureTime + 1).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CosignatureMessage("origin\n1\n", 1).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CosignatureMessage(kBody.substr(0, kBody.size() - 1), 1).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CosignatureMessage("a\tb\n1\nh\n", 1).status().code(), ErrorCode::kInvalidArgument);
}

TEST(CosignatureTest, LineLayoutAndVerify) {
  Keys k;
  const uint64_t t = 1679315147;
  auto line = CosignatureLine(k.witness, kBody, t);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  const std::string prefix = "\xE2\x80\x94 witness.example.com/w1 ";
  ASSERT_EQ(line->substr(0, prefix.size()), prefix);
  ASSERT_EQ(line->back(), '\n');
  auto raw = Base64Decode(line->substr(prefix.size(), line->size() - prefix.size() - 1));
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 4u + 8u + 64u);
  const uint32_t id = CosignatureKeyId(k.witness.name, k.witness.pair.public_key);
  EXPECT_EQ(id, k.witness.id);
  EXPECT_EQ(HexEncode(std::span(*raw).first(4)), KeyIdHex(id));
  EXPECT_EQ(HexEncode(std::span(*raw).subspan(4, 8)), "00000000641850cb");  // 1679315147
  // The last 64 bytes are a plain Ed25519 signature of the cosignature/v1 message.
  EXPECT_TRUE(Verify(k.witness.pair.public_key, AsBytes(*CosignatureMessage(kBody, t)),
                     std::span(*raw).subspan(12)));

  // The line appended to the checkpoint parses as a note signature and verifies.
  const std::string cosigned = Checkpoint(k) + *line;
  auto note = ParseNote(cosigned);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  ASSERT_EQ(note->signatures.size(), 2u);
  uint64_t got = 0;
  const VerifierKey vw = VerifierOf(k.witness);
  EXPECT_TRUE(VerifyCosignature(vw, note->signatures[1], note->text, &got).ok());
  EXPECT_EQ(got, t);
  EXPECT_TRUE(VerifyCosignature(vw, note->signatures[1], note->text, nullptr).ok());

  // A plain (0x01) vkey of the same witness works too: the 0x04 id is derived.
  const SignerKey plain{k.witness.name, KeyId(k.witness.name, k.witness.pair.public_key),
                        k.witness.pair, KeyType::kEd25519};
  EXPECT_TRUE(VerifyCosignature(VerifierOf(plain), note->signatures[1], note->text, &got).ok());
  // And a plain signer key produces the same line (the id is always the 0x04 one).
  EXPECT_EQ(*CosignatureLine(plain, kBody, t), *line);
}

TEST(CosignatureTest, VerifyRejections) {
  Keys k;
  const uint64_t t = 1700000000;
  const std::string cosigned = Checkpoint(k) + *CosignatureLine(k.witness, kBody, t);
  const NoteSignature sig = ParseNote(cosigned)->signatures[1];
  const VerifierKey vw = VerifierOf(k.witness);
  uint64_t got = 77;

  // Another body (a different size): bad signature, time untouched.
  const std::string other_body =
      "example.com/behind-the-sofa\n20852164\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  EXPECT_EQ(VerifyCosignature(vw, sig, other_body, &got).code(), ErrorCode::kBadSignature);
  EXPECT_EQ(got, 77u);
  // A changed timestamp.
  NoteSignature retimed = sig;
  retimed.sig[7] ^= 1;
  EXPECT_EQ(VerifyCosignature(vw, retimed, kBody, &got).code(), ErrorCode::kBadSignature);
  // A timestamp beyond 2^63-1.
  NoteSignature huge = sig;
  huge.sig[0] |= 0x80;
  EXPECT_EQ(VerifyCosignature(vw, huge, kBody, &got).code(), ErrorCode::kBadSignature);
  // Wrong lengths.
  NoteSignature shorter = sig;
  shorter.sig.pop_back();
  EXPECT_EQ(VerifyCosignature(vw, shorter, kBody, &got).code(), ErrorCode::kBadSignature);
  NoteSignature longer = sig;
  longer.sig.push_back(0);
  EXPECT_EQ(VerifyCosignature(vw, longer, kBody, &got).code(), ErrorCode::kBadSignature);
  // Every flipped signature byte.
  for (size_t i = 0; i < sig.sig.size(); ++i) {
    NoteSignature bad = sig;
    bad.sig[i] ^= 0x10;
    EXPECT_FALSE(VerifyCosignature(vw, bad, kBody, &got).ok()) << i;
  }
  // Not this witness's line: other name, other id, other witness.
  NoteSignature renamed = sig;
  renamed.name = "witness.example.com/w3";
  EXPECT_EQ(VerifyCosignature(vw, renamed, kBody, &got).code(), ErrorCode::kInvalidArgument);
  NoteSignature reid = sig;
  reid.id ^= 1;
  EXPECT_EQ(VerifyCosignature(vw, reid, kBody, &got).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(VerifyCosignature(VerifierOf(k.other), sig, kBody, &got).code(),
            ErrorCode::kInvalidArgument);
  // The log's plain signature line is not a cosignature.
  const NoteSignature log_sig = ParseNote(cosigned)->signatures[0];
  const VerifierKey log_as_witness = AsCosignatureKey(VerifierOf(k.log));
  EXPECT_EQ(VerifyCosignature(log_as_witness, log_sig, kBody, &got).code(),
            ErrorCode::kInvalidArgument);  // its id is the 0x01 id
  // An inconsistent 0x04 key.
  VerifierKey broken = vw;
  broken.id ^= 1;
  EXPECT_EQ(VerifyCosignature(broken, sig, kBody, &got).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(got, 77u);

  // Signing rejects bad input.
  EXPECT_EQ(CosignatureLine(k.witness, "too\nshort\n", t).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CosignatureLine(k.witness, kBody, kMaxCosignatureTime + 1).status().code(),
            ErrorCode::kInvalidArgument);
  SignerKey unnamed = k.witness;
  unnamed.name = "";
  EXPECT_EQ(CosignatureLine(unnamed, kBody, t).status().code(), ErrorCode::kInvalidArgument);
}

// OpenNote verifies witness lines with 0x04 keys, so one call checks the log signature
// and the cosignatures.
TEST(CosignatureTest, OpenNoteWithWitnessKeys) {
  Keys k;
  const std::string cosigned = Checkpoint(k) + *CosignatureLine(k.witness, kBody, 100) +
                               *CosignatureLine(k.other, kBody, 200);
  const VerifierKey vlog = VerifierOf(k.log), vw = VerifierOf(k.witness), vo = VerifierOf(k.other);
  {
    const VerifierKey known[] = {vlog, vw, vo};
    auto opened = OpenNote(cosigned, known);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->text, kBody);
    EXPECT_EQ(opened->verified_by, (std::vector<VerifierKey>{vlog, vw, vo}));
    EXPECT_EQ(opened->cosignature_times, (std::vector<uint64_t>{0, 100, 200}));
    EXPECT_EQ(opened->unverified, 0u);
  }
  {
    const VerifierKey known[] = {vlog};
    auto opened = OpenNote(cosigned, known);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->unverified, 2u);
  }
  {
    // A witness key given as a plain 0x01 key matches nothing (the line carries the
    // 0x04 id): ignored, so only the log verifies.
    const SignerKey plain{k.witness.name, KeyId(k.witness.name, k.witness.pair.public_key),
                          k.witness.pair, KeyType::kEd25519};
    const VerifierKey known[] = {vlog, VerifierOf(plain)};
    auto opened = OpenNote(cosigned, known);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{vlog});
  }
  {
    // A cosignature over another body is a bad signature from a known key.
    const std::string other_body =
        "example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    const std::string mixed = Checkpoint(k) + *CosignatureLine(k.witness, other_body, 100);
    const VerifierKey known[] = {vlog, vw};
    EXPECT_EQ(OpenNote(mixed, known).status().code(), ErrorCode::kBadSignature);
  }
  {
    // Every flipped bit of the cosigned checkpoint loses the log or a witness.
    const VerifierKey known[] = {vlog, vw, vo};
    for (size_t i = 0; i < cosigned.size(); ++i) {
      std::string bad = cosigned;
      bad[i] = static_cast<char>(static_cast<uint8_t>(bad[i]) ^ 0x01);
      auto opened = OpenNote(bad, known);
      EXPECT_TRUE(!opened.ok() || opened->verified_by.size() < 3) << i;
    }
  }
}

}  // namespace
}  // namespace aidtrace::crypto
