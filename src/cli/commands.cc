#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/encoding.h"
#include "base/env.h"
#include "base/parallel.h"
#include "cli/lists_cmd.h"
#include "crypto/note.h"
#include "json/json.h"
#include "ledger/ingest.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "mechanism/views.h"

namespace aidtrace::cli {

int Fail(const Status& s) {
  std::fprintf(stderr, "aidtrace: %s\n", s.ToString().c_str());
  return ExitCodeFor(s.code());
}

Result<crypto::SignerKey> ReadSignerKey(const std::string& path) {
  auto text = Env::Default()->ReadFile(path);
  if (!text.ok()) return text.status();
  std::string_view t = *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
  auto key = crypto::ParseSignerKey(t);
  if (!key.ok()) return key.status().WithContext(fmt::format("signer key file {}", path));
  return key;
}

Result<crypto::SignerKey> ReadLogKey(const std::string& db, const std::string& path) {
  if (!path.empty()) return ReadSignerKey(path);
  // The meta row names the key file; read it through a read-only open.
  ledger::LedgerOptions ro;
  ro.read_only = true;
  ASSIGN_OR_RETURN(
      auto probe, ledger::Ledger::Open(*Env::Default(), db,
                                       std::make_unique<mechanism::Directory>(), std::nullopt, ro));
  return ReadSignerKey(probe->meta().log_key_file);
}

namespace {

Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return data;
  }
  return Env::Default()->ReadFile(path);
}

enum class Mode { kRead, kReadWithKey, kWrite };

// Opens the ledger at `db`. `log_key_path` overrides the key file init recorded.
Result<std::unique_ptr<ledger::Ledger>> OpenLedger(const std::string& db, Mode mode,
                                                   const std::string& log_key_path = {}) {
  Env& env = *Env::Default();
  std::optional<crypto::SignerKey> key;
  ledger::LedgerOptions options;
  const bool writable = mode == Mode::kWrite;
  options.read_only = !writable;
  if (mode != Mode::kRead) {
    ASSIGN_OR_RETURN(crypto::SignerKey k, ReadLogKey(db, log_key_path));
    key = std::move(k);
  }
  ledger::ProgressFn progress;
  if (writable && isatty(STDERR_FILENO)) {
    progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rreplaying the log: %llu/%llu", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
  }
  return ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), std::move(key),
                              options, progress);
}

}  // namespace

int Keygen(const std::string& name, const std::string& out) {
  if (!crypto::IsValidKeyName(name)) {
    return Fail(Status(ErrorCode::kInvalidArgument,
                       fmt::format("\"{}\" is not a valid key name (no spaces or '+')", name)));
  }
  auto key = crypto::GenerateSignerKey(name, *Env::Default());
  if (!key.ok()) return Fail(key.status());
  Status s = Env::Default()->WriteFileAtomic(out, crypto::FormatSignerKey(*key) + "\n", 0600,
                                             /*overwrite=*/false);
  if (!s.ok()) return Fail(s);
  std::printf("%s\n", crypto::FormatVerifierKey(crypto::VerifierOf(*key)).c_str());
  return 0;
}

int Init(const std::string& db, const std::string& origin, const std::string& log_key) {
  auto key = ReadSignerKey(log_key);
  if (!key.ok()) return Fail(key.status());
  std::error_code ec;
  const std::string abs = std::filesystem::absolute(log_key, ec).string();
  Status s = ledger::Ledger::Create(*Env::Default(), db, origin, *key, ec ? log_key : abs);
  if (!s.ok()) return Fail(s);
  std::printf("created log %s at %s\nlog verifier key: %s\n", origin.c_str(), db.c_str(),
              crypto::FormatVerifierKey(crypto::VerifierOf(*key)).c_str());
  return 0;
}

int Append(const std::string& db, const std::string& input, const std::string& log_key,
           size_t batch, const std::string& detector_key) {
  std::optional<crypto::SignerKey> detector;
  if (!detector_key.empty()) {
    auto k = ReadSignerKey(detector_key);
    if (!k.ok()) return Fail(k.status().WithContext("--detector-key"));
    detector = std::move(*k);
  }
  auto ledger = OpenLedger(db, Mode::kWrite, log_key);
  if (!ledger.ok()) return Fail(ledger.status());
  // With the detector key, submissions are screened against the loaded lists first
  // (src/guard): matches are logged as screening.hit events signed by that key.
  std::optional<GuardHandles> guarded;
  if (detector.has_value()) {
    auto h = OpenGuard(**ledger, db, std::move(detector));
    if (!h.ok()) return Fail(h.status());
    guarded = std::move(*h);
  }
  FILE* in = input == "-" ? stdin : std::fopen(input.c_str(), "rb");
  if (in == nullptr) {
    return Fail(Status(ErrorCode::kNotFound, fmt::format("cannot open {}", input)));
  }
  char* buf = nullptr;
  size_t cap = 0;
  auto source = [&](std::vector<std::string>& chunk) {
    chunk.clear();
    while (chunk.size() < batch) {
      const ssize_t n = ::getline(&buf, &cap, in);
      if (n < 0) break;
      std::string_view line(buf, static_cast<size_t>(n));
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
      chunk.emplace_back(line);
    }
    return !chunk.empty();
  };
  std::string out;
  auto sink = [&](const std::vector<std::string>&,
                  const std::vector<Result<event::Receipt>>& results) {
    out.clear();
    for (const auto& r : results) {
      out += r.ok() ? event::ReceiptJson(*r) : r.status().ToJson();
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  };
  uint64_t rejected = 0;
  if (guarded.has_value()) {
    // Chunk by chunk: each is screened against the state the previous one left.
    guard::GuardReport report;
    std::vector<std::string> chunk;
    while (source(chunk)) {
      std::vector<Result<ledger::Prepared>> prepared(chunk.size(),
                                                     Status(ErrorCode::kInternal, ""));
      ParallelFor(chunk.size(), DefaultThreads(),
                  [&](size_t i) { prepared[i] = (*ledger)->Prepare(chunk[i]); });
      std::vector<ledger::Prepared> items;
      std::vector<size_t> where;
      std::vector<Result<event::Receipt>> results;
      for (size_t i = 0; i < chunk.size(); ++i) {
        if (prepared[i].ok()) {
          where.push_back(i);
          items.push_back(std::move(*prepared[i]));
          results.emplace_back(Status(ErrorCode::kInternal, "not sequenced"));
        } else {
          results.emplace_back(prepared[i].status());
        }
      }
      auto got = guarded->guard->Submit(std::move(items), &report);
      for (size_t k = 0; k < where.size(); ++k) results[where[k]] = std::move(got[k]);
      for (const auto& r : results) rejected += r.ok() ? 0 : 1;
      sink(chunk, results);
    }
    PrintGuardReport(report, false);
  } else {
    rejected = ledger::Ingest(**ledger, source, sink).rejected;
  }
  std::free(buf);
  if (in != stdin) std::fclose(in);
  return rejected > 0 ? 1 : 0;
}

int Checkpoint(const std::string& db) {
  auto ledger = OpenLedger(db, Mode::kRead);
  if (!ledger.ok()) return Fail(ledger.status());
  auto note = (*ledger)->Checkpoint();
  if (!note.ok()) return Fail(note.status());
  std::fwrite(note->data(), 1, note->size(), stdout);
  return 0;
}

int Leaf(const std::string& db, uint64_t index) {
  auto ledger = OpenLedger(db, Mode::kRead);
  if (!ledger.ok()) return Fail(ledger.status());
  auto leaf = (*ledger)->Leaf(index);
  if (!leaf.ok()) return Fail(leaf.status());
  std::fwrite(leaf->data(), 1, leaf->size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

int ProveInclusion(const std::string& db, uint64_t index, std::optional<uint64_t> size) {
  auto ledger = OpenLedger(db, Mode::kRead);
  if (!ledger.ok()) return Fail(ledger.status());
  auto proof = (*ledger)->ProveInclusion(index, size);
  if (!proof.ok() && proof.status().code() == ErrorCode::kInvalidArgument) {
    // No checkpoint is stored at that size; signing one needs the log key.
    auto keyed = OpenLedger(db, Mode::kReadWithKey);
    if (!keyed.ok()) return Fail(keyed.status().WithContext(proof.status().message()));
    proof = (*keyed)->ProveInclusion(index, size);
  }
  if (!proof.ok()) return Fail(proof.status());
  std::fwrite(proof->data(), 1, proof->size(), stdout);
  return 0;
}

int ProveConsistency(const std::string& db, uint64_t old_size, std::optional<uint64_t> new_size) {
  auto ledger = OpenLedger(db, Mode::kRead);
  if (!ledger.ok()) return Fail(ledger.status());
  auto proof = (*ledger)->ProveConsistency(old_size, new_size);
  if (!proof.ok()) return Fail(proof.status());
  for (const auto& h : *proof) std::printf("%s\n", Base64Encode(h).c_str());
  return 0;
}

int Verify(const std::string& db) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  uint64_t last_pct = 101;
  ledger::ProgressFn progress = [&](uint64_t done, uint64_t total) {
    if (!tty || total == 0) return;
    const uint64_t pct = done * 100 / total;
    if (pct == last_pct) return;
    last_pct = pct;
    const int width = 40;
    const int fill = static_cast<int>(pct * width / 100);
    std::fprintf(stderr, "\rverify [%s%s] %3llu%% %llu/%llu", std::string(fill, '#').c_str(),
                 std::string(width - fill, '.').c_str(), static_cast<unsigned long long>(pct),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    if (done == total) std::fprintf(stderr, "\n");
  };
  auto report = ledger::Ledger::Verify(*Env::Default(), db,
                                       std::make_unique<mechanism::Directory>(), progress);
  if (!report.ok()) {
    if (tty) std::fprintf(stderr, "\n");
    std::printf("verify FAILED: %s\n", report.status().message().c_str());
    return ExitCodeFor(report.status().code());
  }
  std::printf("verify OK: %llu leaves, %llu stored hashes, %llu checkpoints; state %s\n",
              static_cast<unsigned long long>(report->leaves),
              static_cast<unsigned long long>(report->hashes),
              static_cast<unsigned long long>(report->checkpoints),
              crypto::FormatTaggedHash(report->state_digest).c_str());
  return 0;
}

int Replay(const std::string& db) {
  Env& env = *Env::Default();
  ledger::LedgerOptions full;
  full.use_snapshots = false;
  full.snapshot_every = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto replayed =
      ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), std::nullopt, full);
  if (!replayed.ok()) return Fail(replayed.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const crypto::Hash digest = (*replayed)->StateDigest();
  std::printf("replayed %llu events in %.2f s; state %s\n",
              static_cast<unsigned long long>((*replayed)->Size()), seconds,
              crypto::FormatTaggedHash(digest).c_str());
  replayed->reset();
  // The state a normal open rebuilds (from the newest snapshot) must be the same.
  ledger::LedgerOptions normal;
  normal.snapshot_every = 0;
  auto opened =
      ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), std::nullopt, normal);
  if (!opened.ok()) return Fail(opened.status());
  if ((*opened)->StateDigest() != digest) {
    std::printf("snapshot at %llu: DIFFERS from the replayed state\n",
                static_cast<unsigned long long>((*opened)->replayed_from()));
    return ExitCodeFor(ErrorCode::kCorrupt);
  }
  if ((*opened)->replayed_from() > 0) {
    std::printf("snapshot at %llu: same state\n",
                static_cast<unsigned long long>((*opened)->replayed_from()));
  }
  return 0;
}

int Erase(const std::string& db, uint64_t seq) {
  auto ledger = OpenLedger(db, Mode::kRead);
  if (!ledger.ok()) return Fail(ledger.status());
  if (Status s = (*ledger)->ErasePrivate(seq); !s.ok()) return Fail(s);
  std::printf("erased the private record of event %llu; the log (and its pii hash) is unchanged\n",
              static_cast<unsigned long long>(seq));
  return 0;
}

namespace {

// Prints a JSON value as indented "key: value" lines (the text form of `show`).
void PrintText(const json::Value& v, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent) * 2, ' ');
  auto scalar = [](const json::Value& x) {
    return x.is_string() ? x.get<std::string>() : x.dump();
  };
  if (v.is_object()) {
    for (const auto& [k, x] : v.items()) {
      if ((x.is_object() || x.is_array()) && !x.empty()) {
        out += fmt::format("{}{}:\n", pad, k);
        PrintText(x, indent + 1, out);
      } else {
        out += fmt::format("{}{}: {}\n", pad, k, x.empty() && !x.is_string() ? "-" : scalar(x));
      }
    }
  } else if (v.is_array()) {
    for (const auto& x : v) {
      if (x.is_object()) {
        std::string inner;
        PrintText(x, indent + 1, inner);
        // The first line of an object takes the dash.
        inner.replace(0, pad.size() + 2, pad + "- ");
        out += inner;
      } else {
        out += fmt::format("{}- {}\n", pad, scalar(x));
      }
    }
  } else {
    out += pad + scalar(v) + "\n";
  }
}

// Quantities in kg as tonnes with one decimal; others as they are.
std::string Amount(int64_t q, const std::string& unit) {
  if (unit == "kg") return fmt::format("{}.{} t", q / 1000, (q % 1000) / 100);
  return fmt::format("{} {}", q, unit);
}

// Minor units (cents) as major units with two decimals.
std::string Money(int64_t minor) { return fmt::format("{}.{:02}", minor / 100, minor % 100); }

void PrintSummary(const json::Value& s, uint64_t events) {
  auto n = [&](const char* k) { return s[k].get<int64_t>(); };
  std::printf("events      %llu in the log\n", static_cast<unsigned long long>(events));
  std::printf(
      "programme   %lld parties, %lld projects, %lld households, %lld warehouses, %lld "
      "consignments, %lld releases\n",
      static_cast<long long>(n("parties")), static_cast<long long>(n("projects")),
      static_cast<long long>(n("beneficiaries")), static_cast<long long>(n("warehouses")),
      static_cast<long long>(n("consignments")), static_cast<long long>(n("releases")));
  std::printf("\nmaterials traced\n  %-18s %14s %14s %14s %14s %14s\n", "item", "approved",
              "entered", "in stock", "released", "verified");
  for (const auto& row : s["materials"]) {
    const std::string unit = row["unit"].get<std::string>();
    std::printf("  %-18s %14s %14s %14s %14s %14s\n", row["item"].get<std::string>().c_str(),
                Amount(row["approved"].get<int64_t>(), unit).c_str(),
                Amount(row["entered"].get<int64_t>(), unit).c_str(),
                Amount(row["in_stock"].get<int64_t>(), unit).c_str(),
                Amount(row["released"].get<int64_t>(), unit).c_str(),
                Amount(row["verified"].get<int64_t>(), unit).c_str());
  }
  std::printf("\nfunds by stage\n");
  for (const auto& [cur, st] : s["funds"].items()) {
    std::printf(
        "  %s  pledged %s  committed %s  disbursed %s  paid %s\n", cur.c_str(),
        Money(st["pledged"].get<int64_t>()).c_str(), Money(st["committed"].get<int64_t>()).c_str(),
        Money(st["disbursed"].get<int64_t>()).c_str(), Money(st["paid"].get<int64_t>()).c_str());
  }
  std::printf("\nalerts by kind (open / in a case / closed)\n");
  if (s["alerts"].empty()) std::printf("  none\n");
  for (const auto& [kind, st] : s["alerts"].items()) {
    std::printf("  %-26s %5lld / %lld / %lld\n", kind.c_str(),
                static_cast<long long>(st["open"].get<int64_t>()),
                static_cast<long long>(st["in_case"].get<int64_t>()),
                static_cast<long long>(st["closed"].get<int64_t>()));
  }
}

}  // namespace

int Show(const std::string& kind, const std::string& db, const std::string& id, bool as_json,
         bool with_private) {
  auto directory = std::make_unique<mechanism::Directory>();
  const mechanism::Directory* dir = directory.get();
  ledger::LedgerOptions options;
  options.snapshot_every = 0;
  auto ledger =
      ledger::Ledger::Open(*Env::Default(), db, std::move(directory), std::nullopt, options);
  if (!ledger.ok()) return Fail(ledger.status());
  std::optional<json::Value> view;
  if (kind == "summary") {
    const json::Value sum = mechanism::SummaryJson(*dir);
    if (as_json) {
      json::Value out = sum;
      out["events"] = (*ledger)->Size();
      std::printf("%s\n", json::Canonical(out).value().c_str());
      return 0;
    }
    PrintSummary(sum, (*ledger)->Size());
    return 0;
  }
  if (kind == "party") {
    view = mechanism::PartyJson(*dir, id);
  } else if (kind == "project") {
    view = mechanism::ProjectJson(*dir, id);
  } else if (kind == "warehouse") {
    view = mechanism::WarehouseJson(*dir, id);
  } else if (kind == "beneficiary") {
    view = mechanism::BeneficiaryJson(*dir, id);
  } else {
    view = mechanism::FundsJson(*dir, id);
  }
  if (!view.has_value()) {
    return Fail(
        Status(ErrorCode::kNotFound,
               fmt::format("no {} \"{}\"", kind == "funds" ? "project or party" : kind, id)));
  }
  if (with_private && view->contains("private_seq")) {
    auto record = (*ledger)->PrivateRecord((*view)["private_seq"].get<uint64_t>());
    if (!record.ok()) return Fail(record.status());
    if (record->has_value()) {
      auto parsed = json::Parse(**record);
      if (!parsed.ok()) return Fail(parsed.status().WithContext("private record"));
      parsed->erase("salt");
      (*view)["private"] = std::move(*parsed);
    } else {
      (*view)["private"] = nullptr;  // none, or erased
    }
  }
  if (as_json) {
    std::printf("%s\n", json::Canonical(*view).value().c_str());
    return 0;
  }
  std::string out;
  PrintText(*view, 0, out);
  std::fputs(out.c_str(), stdout);
  return 0;
}

namespace {

// Signs one submission document (an envelope, or {"envelope":..,"private":..}).
Result<json::Value> SignOne(json::Value doc, const std::vector<crypto::SignerKey>& keys) {
  if (!doc.is_object()) return Status(ErrorCode::kBadEnvelope, "not a JSON object");
  const bool wrapped = doc.contains("envelope");
  json::Value& env = wrapped ? doc["envelope"] : doc;
  auto signed_env = event::SignEnvelope(std::move(env), keys);
  if (!signed_env.ok()) return signed_env.status().WithPathPrefix(wrapped ? "/envelope" : "");
  env = std::move(*signed_env);
  // Decode the result as the log will, so a signer sees shape errors now.
  std::string canon;
  json::AppendCanonical(doc, canon);
  auto check = event::DecodeSubmission(canon);
  if (!check.ok()) return check.status();
  return doc;
}

}  // namespace

int Sign(const std::vector<std::string>& key_files, const std::string& input) {
  std::vector<crypto::SignerKey> keys;
  for (const auto& f : key_files) {
    auto k = ReadSignerKey(f);
    if (!k.ok()) return Fail(k.status());
    keys.push_back(std::move(*k));
  }
  auto text = ReadInput(input);
  if (!text.ok()) return Fail(text.status());
  // One JSON document (possibly spread over lines), or JSON lines.
  std::vector<std::string> docs;
  json::ParseOptions big;
  big.max_bytes = text->size() + 1;
  if (json::Parse(*text, big).ok()) {
    docs.push_back(*text);
  } else {
    size_t start = 0;
    while (start < text->size()) {
      size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string line = text->substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) docs.push_back(std::move(line));
      start = end + 1;
    }
  }
  int rc = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    json::ParseOptions opts;
    opts.max_bytes = docs[i].size() + 1;
    auto doc = json::Parse(docs[i], opts);
    Result<json::Value> signed_doc = doc.ok() ? SignOne(std::move(*doc), keys) : doc.status();
    if (!signed_doc.ok()) {
      std::fprintf(stderr, "aidtrace: document %zu: %s\n", i + 1,
                   signed_doc.status().ToString().c_str());
      rc = ExitCodeFor(signed_doc.status().code());
      continue;
    }
    std::string out;
    json::AppendCanonical(*signed_doc, out);
    std::printf("%s\n", out.c_str());
  }
  return rc;
}

}  // namespace aidtrace::cli
