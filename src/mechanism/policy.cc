#include "mechanism/policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/checked.h"
#include "base/ids.h"

namespace aidtrace::mechanism {
namespace {

Status Bad(std::string path, std::string msg) {
  return Status(ErrorCode::kBadEnvelope, std::move(msg), std::move(path));
}

Result<Quorum> ParseQuorum(const json::Value& v, const std::string& path) {
  if (!v.is_object()) return Bad(path, "a quorum must be {\"of\": [party ids], \"k\": n}");
  for (const auto& [key, val] : v.items()) {
    if (key != "of" && key != "k") {
      return Bad(path + "/" + json::PointerToken(key), "unknown quorum member");
    }
  }
  Quorum q;
  const auto of = v.find("of");
  if (of == v.end() || !of->is_array() || of->empty()) {
    return Bad(path + "/of", "\"of\" must be a non-empty array of party ids");
  }
  for (size_t i = 0; i < of->size(); ++i) {
    const json::Value& p = (*of)[i];
    if (!p.is_string() || !IsValidId(p.get_ref<const std::string&>())) {
      return Bad(fmt::format("{}/of/{}", path, i), "not a party id");
    }
    q.of.push_back(p.get<std::string>());
  }
  std::sort(q.of.begin(), q.of.end());
  if (std::adjacent_find(q.of.begin(), q.of.end()) != q.of.end()) {
    return Bad(path + "/of", "a party is listed twice");
  }
  const auto k = v.find("k");
  if (k == v.end() || !k->is_number_integer()) return Bad(path + "/k", "\"k\" must be an integer");
  q.k = k->get<int64_t>();
  if (q.k < 1 || q.k > static_cast<int64_t>(q.of.size())) {
    return Bad(path + "/k",
               fmt::format("k must be between 1 and {} (the parties listed)", q.of.size()));
  }
  return q;
}

Status ParsePermille(const json::Value& obj, std::string_view key, const std::string& path,
                     int64_t& out) {
  const auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1000) {
    return Bad(fmt::format("{}/{}", path, key), "must be an integer permille, 0..1000");
  }
  out = it->get<int64_t>();
  return Status::Ok();
}

Status ParseDays(const json::Value& obj, std::string_view key, const std::string& path,
                 int64_t& out) {
  const auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 3650) {
    return Bad(fmt::format("{}/{}", path, key), "must be a whole number of days, 1..3650");
  }
  out = it->get<int64_t>();
  return Status::Ok();
}

Status OnlyKeys(const json::Value& obj, std::initializer_list<std::string_view> keys,
                const std::string& path) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      return Bad(path + "/" + json::PointerToken(k),
                 fmt::format("unknown policy member \"{}\"", k));
    }
  }
  return Status::Ok();
}

json::Value QuorumToJson(const Quorum& q) { return {{"of", q.of}, {"k", q.k}}; }

}  // namespace

bool Quorum::Contains(std::string_view party) const {
  return std::binary_search(of.begin(), of.end(), party);
}

const Quorum& Policy::ProjectApproval(std::string_view category) const {
  const auto it = project_approval_categories.find(category);
  return it == project_approval_categories.end() ? project_approval_default : it->second;
}

Result<Policy> ParsePolicy(const json::Value& v) {
  if (!v.is_object()) return Bad("", "the policy must be an object");
  RETURN_IF_ERROR(OnlyKeys(v,
                           {"governance", "project_approval", "consignment_approval", "screening",
                            "detection", "detector_key", "personal_data_roles"},
                           ""));
  Policy p;
  const auto gov = v.find("governance");
  if (gov == v.end()) return Bad("/governance", "the policy must name the governance quorum");
  ASSIGN_OR_RETURN(p.governance, ParseQuorum(*gov, "/governance"));
  p.project_approval_default = p.governance;
  p.consignment_approval = p.governance;
  if (const auto pa = v.find("project_approval"); pa != v.end()) {
    if (!pa->is_object()) return Bad("/project_approval", "must be an object");
    RETURN_IF_ERROR(OnlyKeys(*pa, {"default", "categories"}, "/project_approval"));
    if (const auto d = pa->find("default"); d != pa->end()) {
      ASSIGN_OR_RETURN(p.project_approval_default, ParseQuorum(*d, "/project_approval/default"));
    }
    if (const auto c = pa->find("categories"); c != pa->end()) {
      if (!c->is_object()) return Bad("/project_approval/categories", "must be an object");
      for (const auto& [cat, q] : c->items()) {
        const std::string path = "/project_approval/categories/" + json::PointerToken(cat);
        if (!IsValidId(cat)) return Bad(path, "a category must be an id");
        ASSIGN_OR_RETURN(Quorum parsed, ParseQuorum(q, path));
        p.project_approval_categories.emplace(cat, std::move(parsed));
      }
    }
  }
  if (const auto ca = v.find("consignment_approval"); ca != v.end()) {
    ASSIGN_OR_RETURN(p.consignment_approval, ParseQuorum(*ca, "/consignment_approval"));
  }
  if (const auto s = v.find("screening"); s != v.end()) {
    if (!s->is_object()) return Bad("/screening", "must be an object");
    RETURN_IF_ERROR(OnlyKeys(*s, {"review_at", "block_at", "four_eyes_at"}, "/screening"));
    RETURN_IF_ERROR(ParsePermille(*s, "review_at", "/screening", p.review_at));
    RETURN_IF_ERROR(ParsePermille(*s, "block_at", "/screening", p.block_at));
    RETURN_IF_ERROR(ParsePermille(*s, "four_eyes_at", "/screening", p.four_eyes_at));
    if (p.review_at > p.block_at) {
      return Bad("/screening/review_at", "review_at must not exceed block_at");
    }
  }
  if (const auto d = v.find("detection"); d != v.end()) {
    if (!d->is_object()) return Bad("/detection", "must be an object");
    RETURN_IF_ERROR(OnlyKeys(
        *d, {"stock_tolerance", "verify_window_days", "decision_sla_days", "payment_threshold"},
        "/detection"));
    if (const auto t = d->find("payment_threshold"); t != d->end()) {
      if (!t->is_number_integer() || t->get<int64_t>() < 1 || t->get<int64_t>() > kMaxJsonInt) {
        return Bad("/detection/payment_threshold", "must be an amount in minor units, 1..2^53-1");
      }
      p.payment_threshold = t->get<int64_t>();
    }
    RETURN_IF_ERROR(ParsePermille(*d, "stock_tolerance", "/detection", p.stock_tolerance));
    RETURN_IF_ERROR(ParseDays(*d, "verify_window_days", "/detection", p.verify_window_days));
    RETURN_IF_ERROR(ParseDays(*d, "decision_sla_days", "/detection", p.decision_sla_days));
  }
  if (const auto k = v.find("detector_key"); k != v.end()) {
    if (!k->is_string()) return Bad("/detector_key", "must be a verifier key");
    auto vk = crypto::ParseVerifierKey(k->get<std::string>());
    if (!vk.ok()) return Bad("/detector_key", vk.status().message());
    if (!IsValidId(vk->name)) return Bad("/detector_key", "the detector key's name must be an id");
    p.detector_key = *vk;
  }
  if (const auto r = v.find("personal_data_roles"); r != v.end()) {
    if (!r->is_array()) return Bad("/personal_data_roles", "must be an array of role names");
    p.personal_data_roles.clear();
    for (size_t i = 0; i < r->size(); ++i) {
      const json::Value& role = (*r)[i];
      if (!role.is_string() || !IsKnownRole(role.get_ref<const std::string&>())) {
        return Bad(fmt::format("/personal_data_roles/{}", i), "not a role of the mechanism");
      }
      p.personal_data_roles.push_back(role.get<std::string>());
    }
    std::sort(p.personal_data_roles.begin(), p.personal_data_roles.end());
    p.personal_data_roles.erase(
        std::unique(p.personal_data_roles.begin(), p.personal_data_roles.end()),
        p.personal_data_roles.end());
  }
  return p;
}

json::Value PolicyToJson(const Policy& p) {
  json::Value cats = json::Value::object();
  for (const auto& [c, q] : p.project_approval_categories) cats[c] = QuorumToJson(q);
  json::Value v = {
      {"governance", QuorumToJson(p.governance)},
      {"project_approval",
       {{"default", QuorumToJson(p.project_approval_default)}, {"categories", cats}}},
      {"consignment_approval", QuorumToJson(p.consignment_approval)},
      {"screening",
       {{"review_at", p.review_at}, {"block_at", p.block_at}, {"four_eyes_at", p.four_eyes_at}}},
      {"detection",
       {{"stock_tolerance", p.stock_tolerance},
        {"verify_window_days", p.verify_window_days},
        {"decision_sla_days", p.decision_sla_days},
        {"payment_threshold", p.payment_threshold}}},
      {"personal_data_roles", p.personal_data_roles}};
  if (p.detector_key.has_value()) v["detector_key"] = crypto::FormatVerifierKey(*p.detector_key);
  return v;
}

}  // namespace aidtrace::mechanism
