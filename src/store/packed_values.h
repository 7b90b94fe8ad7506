// Values created together (a chunk of a bulk import), packed into one change-log entry: one
// row per chunk instead of one per value keeps the log from tripling an import's time. Both
// stores write and read the same bytes, so the format is part of the database.
//
// Format: a version byte (1), then per value: zigzag varints of the period and unit id as
// differences from the value before, varints of the element, option and attribute ids, a
// kind byte (0 integer, 1 real, 2 text) and the value (zigzag varint; 8 bytes little-endian
// IEEE 754; varint length and UTF-8 bytes).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "qpan/status.h"
#include "qpan/value_store.h"

namespace qpan {

// The created values `rows` (none deleted), packed.
std::string pack_created_values(std::span<const ValueWrite> rows);

// Calls `visit` with each value of `packed` in order (text values: kind only, the view empty).
// invalid_input when the bytes are not a packing of this format.
Status unpack_created_values(std::string_view packed, const std::function<void(const ValueWrite&)>& visit);

}  // namespace qpan
