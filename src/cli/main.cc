// aidtrace: command-line entry point. Parses arguments with CLI11 and dispatches to
// cli/commands.cc; the shapes of these commands are a contract (docs/CLI.md).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/detect_cmd.h"
#include "cli/lists_cmd.h"
#include "cli/push_cmd.h"
#include "cli/scenario_cmd.h"
#include "cli/screen_cmd.h"
#include "cli/serve_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{"aidtrace: a verifiable ledger for reconstruction aid"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  int rc = 0;

  std::string name, out, db, origin, log_key, input;
  uint64_t index = 0, old_size = 0;
  std::optional<uint64_t> size, new_size;
  size_t batch = 1000;
  std::vector<std::string> keys;

  auto* keygen = app.add_subcommand("keygen", "Generate a signer key; print its verifier key");
  keygen->add_option("--name", name, "Key name (a party id, or the log's origin)")->required();
  keygen->add_option("--out", out, "File to write the signer key to (mode 0600)")->required();
  keygen->callback([&] { rc = aidtrace::cli::Keygen(name, out); });

  auto* init = app.add_subcommand("init", "Create a new, empty log");
  init->add_option("--db", db, "Store to create")->required();
  init->add_option("--origin", origin, "Checkpoint origin (the log key's name)")->required();
  init->add_option("--log-key", log_key, "Signer key file of the log")->required();
  init->callback([&] { rc = aidtrace::cli::Init(db, origin, log_key); });

  auto* append = app.add_subcommand("append", "Append submissions, one JSON per line");
  append->add_option("--db", db, "Store")->required();
  append->add_option("file", input, "JSON lines file ('-' for standard input)")->required();
  append->add_option("--log-key", log_key,
                     "Signer key of the log (default: the one init recorded)");
  append->add_option("--batch", batch, "Submissions per group commit")
      ->check(CLI::Range(1, 100000));
  std::string append_detector;
  append->add_option("--detector-key", append_detector,
                     "Signer key of the detector: screen submissions against the loaded lists "
                     "and log matches as screening.hit events");
  append->callback([&] { rc = aidtrace::cli::Append(db, input, log_key, batch, append_detector); });

  auto* checkpoint = app.add_subcommand("checkpoint", "Print the latest signed checkpoint");
  checkpoint->add_option("--db", db, "Store")->required();
  checkpoint->callback([&] { rc = aidtrace::cli::Checkpoint(db); });

  auto* leaf = app.add_subcommand("leaf", "Print a leaf's canonical bytes");
  leaf->add_option("--db", db, "Store")->required();
  leaf->add_option("--index", index, "Leaf index (= sequence number)")->required();
  leaf->callback([&] { rc = aidtrace::cli::Leaf(db, index); });

  auto* prove = app.add_subcommand("prove", "Print an inclusion or consistency proof");
  prove->require_subcommand(1);
  auto* incl = prove->add_subcommand("inclusion", "C2SP tlog-proof for one leaf");
  incl->add_option("--db", db, "Store")->required();
  incl->add_option("--index", index, "Leaf index")->required();
  incl->add_option("--size", size, "Tree size (default: the current size)");
  incl->callback([&] { rc = aidtrace::cli::ProveInclusion(db, index, size); });
  auto* cons = prove->add_subcommand("consistency", "Base64 hashes, one a line");
  cons->add_option("--db", db, "Store")->required();
  cons->add_option("--old", old_size, "Old tree size")->required();
  cons->add_option("--new", new_size, "New tree size (default: the current size)");
  cons->callback([&] { rc = aidtrace::cli::ProveConsistency(db, old_size, new_size); });

  auto* verify = app.add_subcommand("verify", "Check every leaf, signature, hash and checkpoint");
  verify->add_option("--db", db, "Store")->required();
  verify->callback([&] { rc = aidtrace::cli::Verify(db); });

  auto* sign = app.add_subcommand("sign", "Fill the sigs of envelopes (JSON or JSON lines)");
  sign->add_option("--key", keys, "Signer key file; repeat for a quorum (the actor's first)")
      ->required();
  sign->add_option("file", input, "Envelope file ('-' for standard input)")->required();
  sign->callback([&] { rc = aidtrace::cli::Sign(keys, input); });

  auto* replay =
      app.add_subcommand("replay", "Rebuild the state from the leaves; print its digest");
  replay->add_option("--db", db, "Store")->required();
  replay->callback([&] { rc = aidtrace::cli::Replay(db); });

  uint64_t seq = 0;
  auto* erase = app.add_subcommand("erase", "Erase the private record beside an event");
  erase->add_option("--db", db, "Store")->required();
  erase->add_option("--seq", seq, "The event's sequence number")->required();
  erase->callback([&] { rc = aidtrace::cli::Erase(db, seq); });

  bool as_json = false;
  std::string id;
  auto* show = app.add_subcommand("show", "Show what the state holds about something");
  show->require_subcommand(1);
  bool with_private = false;
  auto* summary = show->add_subcommand(
      "summary", "The programme at a glance: materials by item, funds by stage, alerts");
  summary->add_option("--db", db, "Store")->required();
  summary->add_flag("--json", as_json, "Print JSON");
  summary->callback([&] { rc = aidtrace::cli::Show("summary", db, "", as_json, false); });
  for (const auto& [kind, what] : std::vector<std::pair<std::string, std::string>>{
           {"party", "A party: roles, status, keys, warehouses, projects"},
           {"project", "A project: status, bill of quantities progress, approvals, funds"},
           {"warehouse", "A warehouse: its vendor and the book of each item"},
           {"funds", "The funds of a project or a party (donor, implementer, payee)"},
           {"beneficiary", "A household: entitlement and what it received"}}) {
    auto* sub = show->add_subcommand(kind, what);
    sub->add_option("id", id, "Id")->required();
    sub->add_option("--db", db, "Store")->required();
    sub->add_flag("--json", as_json, "Print JSON");
    if (kind == "party" || kind == "beneficiary") {
      sub->add_flag("--with-private", with_private,
                    "Also print the personal data of its private record (if not erased)");
    }
    sub->callback([&, kind] { rc = aidtrace::cli::Show(kind, db, id, as_json, with_private); });
  }

  aidtrace::cli::AddDetectCommands(app, rc);  // detect run (src/detect)
  aidtrace::cli::AddPushCommands(app, rc);    // push (an HTTP client of serve)
  aidtrace::cli::AddServeCommands(app, rc);   // serve, token (src/cli/serve_cmd.cc)

  aidtrace::cli::AddScreenCommands(app, rc);  // screen, screen evaluate
  aidtrace::cli::AddListsCommands(app, rc);   // lists import|rescreen|show

  aidtrace::cli::AddScenarioCommands(app, rc);  // scenario (src/cli/scenario_cmd.cc)

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return rc;
}
