#include "server/api.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/parallel.h"
#include "crypto/sha256.h"
#include "detect/observer.h"
#include "event/envelope.h"
#include "mechanism/directory.h"
#include "server/queries.h"

namespace aidtrace::server {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kText = "text/plain; charset=utf-8";

Response Error(const Status& s) {
  Response r;
  r.status = HttpStatusFor(s.code());
  r.body = s.ToJson();
  if (s.code() == ErrorCode::kUnauthorized) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"aidtrace\"");
  }
  if (s.code() == ErrorCode::kRateLimited) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Response Ok(std::string body, std::string_view type = kJson) {
  Response r;
  r.body = std::move(body);
  r.content_type = std::string(type);
  return r;
}

Response JsonOk(const json::Value& v) {
  std::string out;
  json::AppendCanonical(v, out);
  return Ok(std::move(out));
}

int FromHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a query component ('+' is a space).
std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && FromHex(s[i + 1]) >= 0 &&
               FromHex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(FromHex(s[i + 1]) * 16 + FromHex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    out.emplace_back(Unescape(part.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : Unescape(part.substr(eq + 1)));
  }
  return out;
}

const std::string* Param(const std::vector<std::pair<std::string, std::string>>& params,
                         std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<uint64_t> ParseU64(std::string_view text, std::string_view what) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status(
        ErrorCode::kInvalidArgument,
        fmt::format("{} must be a non-negative integer, got \"{}\"", what, text.substr(0, 40)));
  }
  return std::stoull(std::string(text));
}

Result<uint64_t> RequiredU64(const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view key) {
  const std::string* v = Param(params, key);
  if (v == nullptr) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("missing parameter \"{}\"", key));
  }
  return ParseU64(*v, key);
}

// Splits a JSON array's text into its elements' texts (each still to be parsed
// strictly). Only the nesting and strings are tracked here.
Status SplitArray(std::string_view text, std::vector<std::string_view>& out) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t i = 0;
  while (i < text.size() && ws(text[i])) ++i;
  if (i == text.size() || text[i] != '[') {
    return Status(ErrorCode::kBadJson, "a batch must be a JSON array");
  }
  ++i;
  auto bad = [&](std::string why) {
    return Status(ErrorCode::kBadJson, fmt::format("batch: {} at byte {}", why, i));
  };
  while (i < text.size() && ws(text[i])) ++i;
  if (i < text.size() && text[i] == ']') {
    ++i;
  } else {
    for (;;) {
      while (i < text.size() && ws(text[i])) ++i;
      const size_t start = i;
      int depth = 0;
      bool in_string = false;
      for (; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
          if (c == '\\') {
            ++i;
          } else if (c == '"') {
            in_string = false;
          }
          continue;
        }
        if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (depth == 0) break;
          --depth;
        } else if (c == ',' && depth == 0) {
          break;
        }
      }
      if (i >= text.size()) return bad("unterminated array");
      size_t end = i;
      while (end > start && ws(text[end - 1])) --end;
      if (end == start) return bad("empty element");
      out.push_back(text.substr(start, end - start));
      if (text[i] == ']') {
        ++i;
        break;
      }
      ++i;  // ','
    }
  }
  while (i < text.size() && ws(text[i])) ++i;
  if (i != text.size()) return bad("trailing characters after the array");
  return Status::Ok();
}

std::string_view MimeType(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".yaml") return "application/yaml";
  return "application/octet-stream";
}

constexpr std::string_view kIndexPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aidtrace</title></head>
<body><h1>aidtrace</h1>
<p>A verifiable ledger for reconstruction aid. This server speaks the HTTP API described in
<a href="/v1/openapi.yaml">/v1/openapi.yaml</a> (OpenAPI 3.1).</p>
<ul>
<li><a href="/v1/checkpoint">/v1/checkpoint</a>: the latest signed checkpoint</li>
<li><a href="/v1/events?from=0&amp;limit=10">/v1/events</a>: the leaves, for mirrors and witnesses</li>
<li><a href="/healthz">/healthz</a>, <a href="/metrics">/metrics</a></li>
</ul></body></html>
)";

}  // namespace

unsigned HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kBadJson:
    case ErrorCode::kBadEnvelope:
    case ErrorCode::kPiiMismatch:
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kBadSignature:
    case ErrorCode::kUnknownParty:
    case ErrorCode::kUnknownKey:
    case ErrorCode::kKeyRevoked:
    case ErrorCode::kPartySuspended:
    case ErrorCode::kNotPermitted:
    case ErrorCode::kQuorumNotMet:
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kReplayedNonce:
    case ErrorCode::kBadState:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnknownRef:
    case ErrorCode::kExceedsStock:
    case ErrorCode::kExceedsAllocation:
    case ErrorCode::kExceedsCommitment:
    case ErrorCode::kExceedsBalance:
    case ErrorCode::kScreeningBlocked:
    case ErrorCode::kConditionUnmet:
    case ErrorCode::kLimit:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kIoError:
    case ErrorCode::kCorrupt:
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
  }
  return 500;
}

const std::vector<Api::Route>& Api::Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/", false, false},
      {"GET", "/healthz", false, false},
      {"GET", "/metrics", false, false},
      {"GET", "/v1/openapi.yaml", false, false},
      {"GET", "/v1/checkpoint", false, false},
      {"GET", "/v1/events", false, false},
      {"POST", "/v1/events", false, true},
      {"GET", "/v1/events/{seq}", false, false},
      {"GET", "/v1/proof/inclusion", false, false},
      {"GET", "/v1/proof/consistency", false, false},
      {"GET", "/v1/whoami", true, false},
      {"GET", "/v1/parties", true, false},
      {"GET", "/v1/parties/{id}", true, false},
      {"GET", "/v1/projects", true, false},
      {"GET", "/v1/projects/{id}", true, false},
      {"GET", "/v1/beneficiaries", true, false},
      {"GET", "/v1/beneficiaries/{id}", true, false},
      {"GET", "/v1/warehouses", true, false},
      {"GET", "/v1/consignments", true, false},
      {"GET", "/v1/releases", true, false},
      {"GET", "/v1/funds/flows", true, false},
      {"GET", "/v1/funds/commitments", true, false},
      {"GET", "/v1/screening/hits", true, false},
      {"GET", "/v1/alerts", true, false},
      {"GET", "/v1/cases", true, false},
      {"GET", "/v1/appeals", true, false},
      {"GET", "/v1/pending", true, false},
      {"GET", "/v1/dashboard", true, false},
      {"POST", "/v1/screen", true, false},
  };
  return kRoutes;
}

namespace {
// Whether `path` matches `pattern` ({name} matches one non-empty segment); `param`
// receives that segment.
bool PathMatches(std::string_view pattern, std::string_view path, std::string_view* param) {
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const size_t pe = pattern.find('/');
    const size_t se = path.find('/');
    const std::string_view pseg = pattern.substr(0, pe), sseg = path.substr(0, se);
    if (pseg.size() > 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (sseg.empty()) return false;
      if (param != nullptr) *param = sseg;
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view() : path.substr(se);
  }
  return pattern.empty() && path.empty();
}
}  // namespace

int Api::Match(std::string_view method, std::string_view path) {
  const auto& routes = Routes();
  bool path_known = false;
  for (size_t i = 0; i < routes.size(); ++i) {
    if (!PathMatches(routes[i].pattern, path, nullptr)) continue;
    if (routes[i].method == method) {
      return static_cast<int>(i);
    }
    path_known = true;
  }
  return path_known ? -2 : -1;
}

Api::Api(ledger::Ledger& ledger, store::Store* tokens, LogIndex& index, const ServerConfig& config,
         guard::Guard* guard)
    : ledger_(ledger), tokens_(tokens), index_(index), guard_(guard), config_(config), metrics_([] {
        std::vector<std::string> names;
        for (const auto& r : Routes()) names.push_back(r.method + " " + r.pattern);
        return names;
      }()) {
  RefreshCheckpoint();
}

void Api::RefreshCheckpoint() {
  auto note = ledger_.Checkpoint();
  if (!note.ok()) return;
  auto shared = std::make_shared<const std::string>(std::move(*note));
  std::lock_guard lock(checkpoint_mu_);
  if (!checkpoint_ || *checkpoint_ != *shared) checkpoint_ = std::move(shared);
}

std::shared_ptr<const std::string> Api::CachedCheckpoint() {
  std::lock_guard lock(checkpoint_mu_);
  return checkpoint_;
}

Status Api::RateLimit(std::string_view key, uint32_t per_second) {
  if (per_second == 0) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  const int64_t cap = int64_t{std::max(config_.rate_burst, per_second)} * 1000000;
  std::lock_guard lock(rate_mu_);
  if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under address churn
  auto [it, fresh] = buckets_.try_emplace(std::string(key));
  Bucket& b = it->second;
  if (fresh) {
    b.micro_tokens = cap;
  } else {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - b.last).count();
    b.micro_tokens = std::min<int64_t>(cap, b.micro_tokens + us * per_second);
  }
  b.last = now;
  if (b.micro_tokens < 1000000) {
    return Status(ErrorCode::kRateLimited,
                  fmt::format("more than {} requests a second (burst {}): slow down", per_second,
                              config_.rate_burst));
  }
  b.micro_tokens -= 1000000;
  return Status::Ok();
}

Result<Viewer> Api::Authenticate(const Request& req) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = req.authorization;
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) {
    return Status(ErrorCode::kUnauthorized,
                  "this endpoint needs \"Authorization: Bearer <token>\" (aidtrace token create)");
  }
  const std::string_view token = auth.substr(kBearer.size());
  const crypto::Hash hash = crypto::Sha256(token);
  const std::string key(reinterpret_cast<const char*>(hash.data()), hash.size());
  const auto now = std::chrono::steady_clock::now();
  std::optional<store::ApiToken> found;
  bool cached = false;
  {
    std::shared_lock lock(token_mu_);
    if (auto it = token_cache_.find(key); it != token_cache_.end() && it->second.expires > now) {
      found = it->second.token;
      cached = true;
    }
  }
  if (!cached) {
    if (tokens_ != nullptr) {
      ASSIGN_OR_RETURN(found, tokens_->FindToken(hash));
    }
    std::unique_lock lock(token_mu_);
    if (token_cache_.size() > 10000) token_cache_.clear();
    token_cache_[key] = {found, now + std::chrono::milliseconds(config_.token_cache_ms)};
  }
  if (!found.has_value() || !found->revoked.empty()) {
    return Status(ErrorCode::kUnauthorized,
                  found.has_value() ? "the token was revoked" : "unknown token");
  }
  RETURN_IF_ERROR(RateLimit(key, config_.rate_per_token));
  Viewer v;
  v.party = found->party;
  v.role = found->role;
  // The party must still hold the role; personal data follows the policy in force.
  Status s = ledger_.ReadState([&](const ledger::StateMachine& sm) -> Status {
    const auto& dir = *detect::DirectoryOf(sm);
    auto party = dir.FindParty(v.party);
    if (!party.has_value() ||
        std::find(party->roles.begin(), party->roles.end(), v.role) == party->roles.end()) {
      return Status(
          ErrorCode::kForbidden,
          fmt::format("the token's party \"{}\" no longer holds the role \"{}\"", v.party, v.role));
    }
    const auto roles = dir.policy().personal_data_roles;
    v.personal_data = std::find(roles.begin(), roles.end(), v.role) != roles.end();
    return Status::Ok();
  });
  RETURN_IF_ERROR(s);
  return v;
}

Response Api::Handle(const Request& req) {
  std::string_view path = req.target;
  std::string_view query;
  if (const size_t q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  const int route = Match(req.method, path);
  if (route == -1) {
    if (req.method == "GET" && !config_.web_root.empty() && !path.starts_with("/v1/")) {
      Response r = Static(path);
      if (r.status != 404) return r;
    }
    Response r = Error(Status(ErrorCode::kNotFound, fmt::format("no route {}", path)));
    return r;
  }
  if (route == -2) {
    Response r;
    r.status = 405;
    r.body = Status(ErrorCode::kInvalidArgument,
                    fmt::format("{} is not allowed on {}", req.method, path))
                 .ToJson();
    std::string allow;
    for (const auto& rt : Routes()) {
      if (PathMatches(rt.pattern, path, nullptr)) allow += (allow.empty() ? "" : ", ") + rt.method;
    }
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  if (!Routes()[static_cast<size_t>(route)].needs_token && config_.rate_per_client > 0) {
    if (Status s =
            RateLimit(std::string("client:") + std::string(req.client), config_.rate_per_client);
        !s.ok()) {
      Response r = Error(s);
      r.route = route;
      return r;
    }
  }
  Response r = Dispatch(route, req, path, ParseQuery(query));
  r.route = route;
  return r;
}

Response Api::Dispatch(int route, const Request& req, std::string_view path, const Params& params) {
  const Route& rt = Routes()[static_cast<size_t>(route)];
  const std::string& p = rt.pattern;
  if (rt.submit) return Submit(req);
  if (p == "/") return Static("/");
  if (p == "/healthz") return Health();
  if (p == "/metrics") return MetricsText();
  if (p == "/v1/openapi.yaml") return Ok(std::string(OpenApiYaml()), "application/yaml");
  if (p == "/v1/checkpoint") return Checkpoint();
  if (p == "/v1/events") return Events(params);
  if (p == "/v1/events/{seq}") return EventAt(path.substr(path.rfind('/') + 1));
  if (p == "/v1/proof/inclusion") return ProveInclusion(params);
  if (p == "/v1/proof/consistency") return ProveConsistency(params);

  if (p == "/v1/screen") return Screen(req);

  // State queries: a token, then the query under the state's shared lock. Events logged
  // by other writers (the detectors' alerts, screening hits) join the index first.
  auto viewer = Authenticate(req);
  if (!viewer.ok()) return Error(viewer.status());
  if (Status s = index_.CatchUp(ledger_); !s.ok()) return Error(s);
  std::string_view id;
  if (p.find('{') != std::string::npos) id = path.substr(path.rfind('/') + 1);
  const std::string id_text = Unescape(id);
  auto result = ledger_.ReadState([&](const ledger::StateMachine& sm) {
    const QueryInput in{*detect::DirectoryOf(sm), index_,          *viewer, params, id_text,
                        config_.default_page,     config_.max_page};
    return RunQuery(p, in);
  });
  if (!result.ok()) return Error(result.status());
  json::Value& doc = *result;
  // Outside the state lock: store reads (private records, the timeline's events).
  auto attach_private = [&](json::Value& row) {
    auto seq = row.find("registered_seq");
    if (!viewer->personal_data || seq == row.end()) return;
    auto rec = ledger_.PrivateRecord(seq->get<uint64_t>());
    if (rec.ok() && rec->has_value()) {
      auto parsed = json::Parse(**rec);
      if (parsed.ok()) row["private"] = std::move(*parsed);
    }
  };
  if (p == "/v1/beneficiaries") {
    for (auto& row : doc["items"]) attach_private(row);
  } else if (p == "/v1/beneficiaries/{id}") {
    attach_private(doc);
  } else if (p == "/v1/projects/{id}") {
    json::Value& timeline = doc["timeline"];
    // The newest max_page events, oldest first.
    const size_t n = timeline.size(), skip = n > config_.max_page ? n - config_.max_page : 0;
    json::Value out = json::Value::array();
    for (size_t i = skip; i < n; ++i) {
      const uint64_t seq = timeline[i]["seq"].get<uint64_t>();
      auto leaf = ledger_.Leaf(seq);
      if (!leaf.ok()) continue;
      auto parsed = json::Parse(*leaf);
      if (!parsed.ok()) continue;
      const json::Value& ev = (*parsed)["event"];
      out.push_back({{"seq", seq},
                     {"type", ev.value("type", "")},
                     {"actor", ev.value("actor", "")},
                     {"logged", (*parsed).value("logged", "")},
                     {"id", crypto::FormatTaggedHash(crypto::Sha256(
                                json::Canonical(ev).ok() ? *json::Canonical(ev) : ""))}});
    }
    doc["timeline"] = std::move(out);
    doc["timeline_total"] = n;
  }
  return JsonOk(doc);
}

Response Api::Checkpoint() {
  Response r;
  r.content_type = std::string(kText);
  r.shared = CachedCheckpoint();
  if (!r.shared) return Error(Status(ErrorCode::kInternal, "no checkpoint"));
  return r;
}

Response Api::EventAt(std::string_view seq_text) {
  auto seq = ParseU64(seq_text, "seq");
  if (!seq.ok()) return Error(seq.status());
  auto leaf = ledger_.Leaf(*seq);
  if (!leaf.ok()) return Error(leaf.status());
  return Ok(std::move(*leaf));
}

Response Api::Events(const Params& params) {
  uint64_t from = 0, limit = 100;
  if (const std::string* f = Param(params, "from")) {
    auto v = ParseU64(*f, "from");
    if (!v.ok()) return Error(v.status());
    from = *v;
  }
  if (const std::string* l = Param(params, "limit")) {
    auto v = ParseU64(*l, "limit");
    if (!v.ok()) return Error(v.status());
    if (*v == 0 || *v > config_.max_page) {
      return Error(Status(ErrorCode::kInvalidArgument,
                          fmt::format("limit must be 1..{}", config_.max_page)));
    }
    limit = *v;
  }
  const uint64_t size = ledger_.Size();
  if (from > size) {
    return Error(Status(ErrorCode::kNotFound,
                        fmt::format("from {} is beyond the log's {} leaves", from, size)));
  }
  std::string out;
  const uint64_t to = std::min(size, from + limit);
  Status s = ledger_.ScanLeaves(from, to, [&](uint64_t, std::string_view data) {
    out += data;
    out += '\n';
    return Status::Ok();
  });
  if (!s.ok()) return Error(s);
  Response r = Ok(std::move(out), "application/x-ndjson");
  r.headers.emplace_back("X-Aidtrace-Next", std::to_string(to));
  r.headers.emplace_back("X-Aidtrace-Size", std::to_string(size));
  return r;
}

Response Api::ProveInclusion(const Params& params) {
  auto index = RequiredU64(params, "index");
  if (!index.ok()) return Error(index.status());
  std::optional<uint64_t> size;
  if (const std::string* s = Param(params, "size")) {
    auto v = ParseU64(*s, "size");
    if (!v.ok()) return Error(v.status());
    size = *v;
  }
  auto proof = ledger_.ProveInclusion(*index, size);
  if (!proof.ok()) return Error(proof.status());
  return Ok(std::move(*proof), kText);
}

Response Api::ProveConsistency(const Params& params) {
  auto old_size = RequiredU64(params, "old");
  if (!old_size.ok()) return Error(old_size.status());
  std::optional<uint64_t> new_size;
  if (const std::string* s = Param(params, "new")) {
    auto v = ParseU64(*s, "new");
    if (!v.ok()) return Error(v.status());
    new_size = *v;
  }
  auto proof = ledger_.ProveConsistency(*old_size, new_size);
  if (!proof.ok()) return Error(proof.status());
  std::string out;
  for (const auto& h : *proof) {
    out += Base64Encode(h);
    out += '\n';
  }
  return Ok(std::move(out), kText);
}

Response Api::MetricsText() {
  return Ok(metrics_.Render(ledger_.Size(), index_.events()),
            "text/plain; version=0.0.4; charset=utf-8");
}

Response Api::Health() {
  const Status s =
      draining_.load() ? Status(ErrorCode::kUnavailable, "shutting down") : ledger_.Health();
  json::Value doc = {
      {"status", s.ok() ? "ok" : "unavailable"}, {"size", ledger_.Size()}, {"writable", s.ok()}};
  if (!s.ok()) doc["reason"] = s.ToString();
  Response r = JsonOk(doc);
  // A read-only ledger still serves reads: only a stopped or draining server is unhealthy.
  if (!s.ok() && s.code() != ErrorCode::kInvalidArgument) r.status = 503;
  return r;
}

Response Api::Static(std::string_view path) {
  if (config_.web_root.empty()) {
    if (path == "/") return Ok(std::string(kIndexPage), "text/html; charset=utf-8");
    return Error(Status(ErrorCode::kNotFound, "no such file"));
  }
  std::string rel(path);
  if (rel.empty() || rel == "/") rel = "/index.html";
  // No way out of the web root: reject any '..' segment and decode nothing.
  if (rel.find("..") != std::string::npos || rel.find('\\') != std::string::npos ||
      rel.find('\0') != std::string::npos) {
    return Error(Status(ErrorCode::kNotFound, "no such file"));
  }
  const std::string file = config_.web_root + rel;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Error(Status(ErrorCode::kNotFound, "no such file"));
  }
  auto data = Env::Default()->ReadFile(file);
  if (!data.ok()) return Error(data.status());
  return Ok(std::move(*data), MimeType(file));
}

// POST /v1/screen: one subject against the current version of every loaded list.
Response Api::Screen(const Request& req) {
  auto viewer = Authenticate(req);
  if (!viewer.ok()) return Error(viewer.status());
  if (!viewer->personal_data) {
    return Error(Status(ErrorCode::kForbidden,
                        fmt::format("the role \"{}\" may not screen names: screening handles "
                                    "personal data (policy personal_data_roles)",
                                    viewer->role)));
  }
  if (guard_ == nullptr) {
    return Error(Status(ErrorCode::kUnavailable,
                        "screening is not configured on this server (serve --detector-key)"));
  }
  auto doc = json::Parse(req.body);
  if (!doc.ok()) return Error(doc.status());
  if (!doc->is_object()) {
    return Error(Status(ErrorCode::kInvalidArgument, "the body must be a JSON object", "/"));
  }
  screening::Subject subject;
  screening::ScreenOptions options;
  for (const auto& [key, v] : doc->items()) {
    const std::string at = "/" + key;
    auto bad = [&](std::string_view why) {
      return Error(Status(ErrorCode::kInvalidArgument, fmt::format("\"{}\" {}", key, why), at));
    };
    if (key == "name") {
      if (!v.is_string() || v.get<std::string>().empty()) return bad("must be a non-empty string");
      subject.names.push_back(v.get<std::string>());
    } else if (key == "names" || key == "identifiers") {
      if (!v.is_array() || v.size() > 32) return bad("must be an array of at most 32 strings");
      for (const auto& n : v) {
        if (!n.is_string() || n.get<std::string>().empty()) {
          return bad("must hold non-empty strings");
        }
        (key == "names" ? subject.names : subject.identifiers).push_back(n.get<std::string>());
      }
    } else if (key == "dob") {
      if (!v.is_string()) return bad("must be YYYY, YYYY-MM or YYYY-MM-DD");
      auto d = screening::ParseIsoDate(v.get<std::string>());
      if (!d.ok()) return bad("must be YYYY, YYYY-MM or YYYY-MM-DD");
      subject.dob = *d;
    } else if (key == "country") {
      if (!v.is_string()) return bad("must be a country code or name");
      subject.country = screening::CountryCode(v.get<std::string>());
      if (subject.country.empty()) return bad("is not a known country code or name");
    } else if (key == "schema") {
      if (!v.is_string()) return bad("must be person, organization, company, vessel or aircraft");
      subject.schema = screening::SchemaFromName(v.get<std::string>());
      if (subject.schema == screening::Schema::kUnknown) {
        return bad("must be person, organization, company, vessel or aircraft");
      }
    } else if (key == "min_score") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000) {
        return bad("must be an integer in 0..1000");
      }
      options.min_score = static_cast<int>(v.get<int64_t>());
    } else if (key == "limit") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 100) {
        return bad("must be an integer in 1..100");
      }
      options.limit = static_cast<size_t>(v.get<int64_t>());
    } else {
      return bad("is not a member of a screening request");
    }
  }
  if (subject.names.empty()) {
    return Error(Status(ErrorCode::kInvalidArgument, "give \"name\" or \"names\"", "/name"));
  }
  json::Value hits = json::Value::array();
  for (const auto& h : guard_->Screen(subject, options)) {
    hits.push_back({{"list", h.list},
                    {"entry", h.entry},
                    {"name", h.name},
                    {"score", h.score},
                    {"explanation", h.explanation}});
  }
  json::Value lists = json::Value::array();
  for (const auto& l : guard_->Lists()) {
    lists.push_back({{"list", l.list}, {"version", l.version}, {"screened", l.stored}});
  }
  return Ok(json::Value({{"hits", std::move(hits)}, {"lists", std::move(lists)}}).dump());
}

Response Api::Submit(const Request& req) {
  if (draining_.load()) {
    return Error(Status(ErrorCode::kUnavailable, "the server is shutting down; retry elsewhere"));
  }
  const std::string_view key =
      req.authorization.empty() ? std::string_view(req.client) : req.authorization;
  if (Status s =
          RateLimit(std::string("post:") + std::string(key),
                    req.authorization.empty() ? config_.rate_per_client : config_.rate_per_token);
      !s.ok()) {
    return Error(s);
  }
  // One submission, or a batch: a JSON array, or JSON lines.
  std::vector<std::string_view> lines;
  bool batch = false;
  const std::string_view body = req.body;
  if (req.content_type.starts_with("application/x-ndjson") ||
      req.content_type.starts_with("application/jsonl")) {
    batch = true;
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) lines.push_back(line);
      start = end + 1;
    }
  } else {
    size_t i = 0;
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t')) {
      ++i;
    }
    if (i < body.size() && body[i] == '[') {
      batch = true;
      if (Status s = SplitArray(body, lines); !s.ok()) {
        metrics_.Rejected(s.code());
        return Error(s);
      }
    } else {
      lines.push_back(body);
    }
  }
  if (batch && lines.empty()) {
    return Error(Status(ErrorCode::kInvalidArgument, "the batch is empty"));
  }
  if (lines.size() > config_.max_batch) {
    return Error(Status(
        ErrorCode::kPayloadTooLarge,
        fmt::format("{} submissions in one request; at most {}", lines.size(), config_.max_batch)));
  }
  const size_t n = lines.size();
  std::vector<Result<ledger::Prepared>> prepared(n, Status(ErrorCode::kInternal, "not decoded"));
  std::vector<LogIndex::Entry> entries(n);
  ParallelFor(n, n >= 64 ? DefaultThreads() : 1, [&](size_t i) {
    prepared[i] = ledger_.Prepare(lines[i]);
    if (prepared[i].ok()) entries[i] = LogIndex::Extract(prepared[i]->sub.envelope.doc);
  });
  std::vector<ledger::Prepared> items;
  std::vector<size_t> where;
  items.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (prepared[i].ok()) {
      items.push_back(std::move(*prepared[i]));
      where.push_back(i);
    }
  }
  std::vector<Result<event::Receipt>> results(n, Status(ErrorCode::kInternal, "not submitted"));
  for (size_t i = 0; i < n; ++i) {
    if (!prepared[i].ok()) results[i] = prepared[i].status();
  }
  if (!items.empty()) {
    // Through the guard: new parties and households (and payees not screened against the
    // current lists) are screened; its hits are sequenced before them.
    guard::GuardReport report;
    auto got = guard_ != nullptr ? guard_->Submit(std::move(items), &report)
                                 : ledger_.Submit(std::move(items));
    for (size_t k = 0; k < got.size(); ++k) results[where[k]] = std::move(got[k]);
    if (report.hits > 0) metrics_.Accepted(report.hits);
  }
  size_t accepted = 0;
  for (size_t i = 0; i < n; ++i) {
    if (results[i].ok()) {
      ++accepted;
      index_.Add(results[i]->seq, entries[i]);
    } else {
      metrics_.Rejected(results[i].status().code());
    }
  }
  if (accepted > 0) {
    metrics_.Accepted(accepted);
    RefreshCheckpoint();
  }
  if (!batch) {
    if (!results[0].ok()) return Error(results[0].status());
    return Ok(event::ReceiptJson(*results[0]));
  }
  // {"accepted":n,"rejected":m,"results":[...]} in canonical member order.
  std::string out =
      fmt::format("{{\"accepted\":{},\"rejected\":{},\"results\":[", accepted, n - accepted);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out.push_back(',');
    out += results[i].ok() ? event::ReceiptJson(*results[i]) : results[i].status().ToJson();
  }
  out += "]}";
  Response r = Ok(std::move(out));
  // A batch whose every item failed for a reason of the server (not of an event's
  // content) reports that status: retrying the whole batch is then safe and useful.
  if (accepted == 0) {
    const ErrorCode c = results[0].status().code();
    if (c == ErrorCode::kIoError || c == ErrorCode::kUnavailable || c == ErrorCode::kInternal) {
      r.status = HttpStatusFor(c);
    }
  }
  return r;
}

}  // namespace aidtrace::server
