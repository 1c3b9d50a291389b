// The reference data the scenario generator draws from: the Gaza Strip's governorates
// and crossings, the dual-use catalogue (items, HS codes, controlled flags, unit prices),
// project categories with their bills of quantities, Arabic names with their common Latin
// transliterations, and the names of the programme's (fictional) organisations.
//
// Places, items and prices are data, as MECHANISM.md asks: nothing else in the generator
// knows it is Gaza. Everything here is a constant table; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace aidtrace::scenario::data {

// An administrative area: OCHA COD-AB P-code (lower case), name, Arabic name, the centre
// of the area (degrees x 10^6), how far locations scatter from it, and its share of the
// households (permille, summing to 1000).
struct Area {
  std::string_view id;
  std::string_view name;
  std::string_view arabic;
  int64_t lat_e6;
  int64_t lon_e6;
  int64_t spread_e6;
  int64_t share_permille;
};
std::span<const Area> Areas();

// A crossing point for goods, with approximate coordinates and its share of entries.
struct Crossing {
  std::string_view id;
  std::string_view name;
  int64_t lat_e6;
  int64_t lon_e6;
  int64_t share_permille;
};
std::span<const Crossing> Crossings();

// An item of the catalogue; `price` is in US cents per base unit; `bulk` items are
// counted by weight (small count noise is plausible for them).
struct Item {
  std::string_view id;
  std::string_view name;
  std::string_view unit;
  std::string_view hs;
  bool controlled;
  int64_t price;
  bool bulk;
};
std::span<const Item> Items();
const Item& ItemById(std::string_view id);

// One line of a category's bill of quantities: a quantity drawn in [min, max].
struct BoqLine {
  std::string_view item;
  int64_t min;
  int64_t max;
};
// A project category: id (the policy's approval category), OECD-DAC sector, a title
// pattern ({0}: number, {1}: area name), its share of projects, its lines, and labour and
// other costs as permille of the materials' cost.
struct Category {
  std::string_view id;
  std::string_view sector;
  std::string_view title;
  int64_t share_permille;
  std::array<BoqLine, 6> boq;  // unused entries have an empty item
  int64_t labour_permille;
};
std::span<const Category> Categories();

// A household's entitlement by damage category.
struct Entitlement {
  std::string_view damage;
  int64_t share_permille;
  std::array<BoqLine, 4> lines;  // unused entries have an empty item
};
std::span<const Entitlement> Entitlements();

// An Arabic name and up to four Latin transliterations of it (empty entries unused); the
// first is the usual one.
struct Name {
  std::string_view arabic;
  std::array<std::string_view, 4> latin;
};
std::span<const Name> MaleNames();
std::span<const Name> FemaleNames();
std::span<const Name> Families();
// Families used only by the synthetic watch list's fictional persons, so that no honest
// household shares a listed person's whole name by chance.
std::span<const Name> ListedFamilies();

// Fictional organisations: id stem and display name.
struct Org {
  std::string_view id;
  std::string_view name;
};
std::span<const Org> Implementers();
std::span<const Org> Donors();
// Vendor name stems (Latin id stem, display word); vendors are "<word> Building
// Materials Co." and similar.
std::span<const Org> VendorStems();

}  // namespace aidtrace::scenario::data
