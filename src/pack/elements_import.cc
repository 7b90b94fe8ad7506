// `qpan elements import`: the disaggregations and elements sections of a pack, from one
// JSON file, without the rest of a pack (see qpan/pack.h).
#include "exchange/file.h"
#include "pack/pack_reader.h"
#include "qpan/pack.h"
#include "qpan/store.h"

namespace qpan {

Result<ElementImportResult> import_elements(Store& store, const std::string& path) {
  Result<std::string> content = read_file(path);
  if (!content) return content.status();
  ElementImportResult result;
  pack_reader::PackReader reader(result.problems);
  reader.read_file(file_name(path), *content, {"disaggregations", "elements"});
  reader.check_references();
  if (!result.problems.empty()) return result;
  Pack pack = reader.take();
  result.elements = pack.catalogue.elements().size();
  result.disaggregations = pack.catalogue.disaggregations().size();
  QPAN_RETURN_IF_ERROR(store.save_catalogue(pack.catalogue));
  return result;
}

}  // namespace qpan
