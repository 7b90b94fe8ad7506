// The catalogue concern of the PostgreSQL store (see qpan/catalogue_store.h):
// disaggregations with their options, data elements, and the definitions of loaded packs as
// JSON text.
#include "store/postgres_stores.h"

namespace qpan::postgres {

Status PostgresCatalogueStore::save_catalogue(const Catalogue& catalogue) {
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  QPAN_RETURN_IF_ERROR(upsert_catalogue(catalogue, std::nullopt));
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kCatalogue, "", "catalogue", std::nullopt,
                                   std::to_string(catalogue.elements().size()) + " elements"));
  return tx.commit();
}

Result<std::optional<std::string>> PostgresCatalogueStore::loaded_pack_version(const std::string& pack_code) {
  Result<Rows> rows = db_.query("SELECT version FROM pack WHERE code = $1", Params().add(pack_code));
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->get_text(0, 0));
}

Result<std::vector<std::string>> PostgresCatalogueStore::pack_element_codes(const std::string& pack_code) {
  Result<Rows> rows =
      db_.query("SELECT code FROM data_element WHERE pack = $1 ORDER BY code COLLATE \"C\"", Params().add(pack_code));
  if (!rows) return rows.status();
  std::vector<std::string> codes;
  for (int r = 0; r < rows->size(); ++r) codes.push_back(rows->get_text(r, 0));
  return codes;
}

Status PostgresCatalogueStore::save_pack(const Pack& pack, const std::vector<std::string>& removed_elements,
                                         int64_t loaded_at) {
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<std::optional<std::string>> before = loaded_pack_version(pack.info.code);
  if (!before) return before.status();
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kPack, "", "pack/" + pack.info.code, *before, pack.info.version));
  Result<int64_t> saved = db_.run(
      "INSERT INTO pack (code, version, name_vi, name_en, description, loaded_at) VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (code) DO UPDATE SET version = excluded.version, name_vi = excluded.name_vi, "
      "name_en = excluded.name_en, description = excluded.description, loaded_at = excluded.loaded_at",
      Params().add(pack.info.code).add(pack.info.version).add(pack.info.name_vi).add(pack.info.name_en)
          .add(pack.info.description).add(loaded_at));
  if (!saved) return saved.status();
  QPAN_RETURN_IF_ERROR(upsert_catalogue(pack.catalogue, pack.info.code));
  for (const std::string& code : removed_elements) {
    Result<int64_t> removed = db_.run("DELETE FROM data_element WHERE code = $1 AND pack = $2",
                                      Params().add(code).add(pack.info.code));
    if (!removed) return removed.status();
  }
  Result<int64_t> cleared = db_.run("DELETE FROM pack_definition WHERE pack = $1", Params().add(pack.info.code));
  if (!cleared) return cleared.status();
  for (const PackDefinition& d : pack.definitions) {
    Result<int64_t> defined = db_.run(
        "INSERT INTO pack_definition (kind, code, pack, definition) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (kind, code) DO UPDATE SET pack = excluded.pack, definition = excluded.definition",
        Params().add(d.kind).add(d.code).add(pack.info.code).add(d.json));
    if (!defined) return defined.status();
  }
  return tx.commit();
}

Result<std::vector<PackDefinition>> PostgresCatalogueStore::pack_definitions(const std::string& kind) {
  Result<Rows> rows = db_.query(
      "SELECT code, definition FROM pack_definition WHERE kind = $1 ORDER BY code COLLATE \"C\"", Params().add(kind));
  if (!rows) return rows.status();
  std::vector<PackDefinition> out;
  for (int r = 0; r < rows->size(); ++r) out.push_back({kind, rows->get_text(r, 0), rows->get_text(r, 1)});
  return out;
}

Result<Catalogue> PostgresCatalogueStore::load_catalogue() {
  std::vector<Disaggregation> disaggregations;
  std::unordered_map<int64_t, std::string> dis_code;
  Result<Rows> dis = db_.query("SELECT id, code, name_vi, name_en FROM disaggregation ORDER BY code COLLATE \"C\"");
  if (!dis) return dis.status();
  for (int r = 0; r < dis->size(); ++r) {
    Disaggregation d;
    d.id = dis->get_int(r, 0);
    d.code = dis->get_text(r, 1);
    d.name_vi = dis->get_text(r, 2);
    d.name_en = dis->get_text(r, 3);
    dis_code[d.id] = d.code;
    disaggregations.push_back(std::move(d));
  }
  Result<Rows> opt = db_.query(
      "SELECT id, disaggregation_id, code, name_vi, name_en FROM disaggregation_option "
      "ORDER BY disaggregation_id, sort_order");
  if (!opt) return opt.status();
  for (int r = 0; r < opt->size(); ++r) {
    DisaggregationOption o;
    o.id = opt->get_int(r, 0);
    o.code = opt->get_text(r, 2);
    o.name_vi = opt->get_text(r, 3);
    o.name_en = opt->get_text(r, 4);
    for (Disaggregation& d : disaggregations) {
      if (d.id == opt->get_int(r, 1)) d.options.push_back(o);
    }
  }
  std::vector<DataElement> elements;
  Result<Rows> el = db_.query(
      "SELECT id, code, name_vi, name_en, value_type, aggregation, disaggregation_id, description, area "
      "FROM data_element ORDER BY code COLLATE \"C\"");
  if (!el) return el.status();
  for (int r = 0; r < el->size(); ++r) {
    DataElement e;
    e.id = el->get_int(r, 0);
    e.code = el->get_text(r, 1);
    e.name_vi = el->get_text(r, 2);
    e.name_en = el->get_text(r, 3);
    Result<ValueType> type = parse_value_type(el->text(r, 4));
    Result<AggregationType> agg = parse_aggregation(el->text(r, 5));
    if (!type || !agg) return Status::internal("corrupt data element row " + e.code);
    e.value_type = *type;
    e.aggregation = *agg;
    if (!el->is_null(r, 6)) e.disaggregation = dis_code[el->get_int(r, 6)];
    e.description = el->get_text(r, 7);
    e.area = el->get_text(r, 8);
    elements.push_back(std::move(e));
  }
  return Catalogue(std::move(disaggregations), std::move(elements));
}

Status PostgresCatalogueStore::upsert_catalogue(const Catalogue& catalogue, const std::optional<std::string>& pack) {
  for (const Disaggregation& d : catalogue.disaggregations()) {
    Result<Rows> saved = db_.query(
        "INSERT INTO disaggregation (code, name_vi, name_en) VALUES ($1, $2, $3) "
        "ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en RETURNING id",
        Params().add(d.code).add(d.name_vi).add(d.name_en));
    if (!saved) return saved.status();
    if (saved->empty()) return Status::internal("cannot save disaggregation " + d.code);
    const int64_t id = saved->get_int(0, 0);
    for (size_t i = 0; i < d.options.size(); ++i) {
      const DisaggregationOption& o = d.options[i];
      Result<int64_t> option = db_.run(
          "INSERT INTO disaggregation_option (disaggregation_id, code, name_vi, name_en, sort_order) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (disaggregation_id, code) DO UPDATE SET "
          "name_vi = excluded.name_vi, name_en = excluded.name_en, sort_order = excluded.sort_order",
          Params().add(id).add(o.code).add(o.name_vi).add(o.name_en).add(static_cast<int64_t>(i)));
      if (!option) return option.status();
    }
  }
  for (const DataElement& e : catalogue.elements()) {
    Params params;
    params.add(e.code).add(e.name_vi).add(e.name_en).add(value_type_name(e.value_type))
        .add(aggregation_name(e.aggregation));
    if (e.disaggregation.empty()) params.add_null(); else params.add(e.disaggregation);
    params.add(e.description).add(e.area).add(pack);
    Result<int64_t> element = db_.run(
        "INSERT INTO data_element (code, name_vi, name_en, value_type, aggregation, disaggregation_id, "
        "description, area, pack) VALUES ($1, $2, $3, $4, $5, (SELECT id FROM disaggregation WHERE code = $6), "
        "$7, $8, $9) ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, "
        "value_type = excluded.value_type, aggregation = excluded.aggregation, "
        "disaggregation_id = excluded.disaggregation_id, description = excluded.description, "
        "area = excluded.area, pack = excluded.pack",
        params);
    if (!element) return element.status();
  }
  return Status::ok();
}

}  // namespace qpan::postgres
