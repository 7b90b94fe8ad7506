// Excel forms: a data set's form for one unit and period (qpan/entry_form.h) as a workbook a
// commune officer fills offline, and the filled workbook read back into entries for the one
// write path (qpan/value_writer.h).
//
// The workbook has one visible sheet, "Biểu mẫu": the data set's name, the unit, the period,
// the deadline and the form's state at the top; then per subject area a section heading
// and a row per element (or per option of its disaggregation) with its name, the input cell
// in column D (unlocked, yellow, validated by the element's type, holding the stored value),
// the previous period's and last year's values in E and F, and what the cell takes in G.
// Everything but the input cells is locked (the sheet is protected without a password:
// against slips, not people). Column H holds each row's element code and I its option
// code, hidden; a hidden sheet "qpan" names the data set, unit and period. A closed form
// (approved or locked) is written for reading, every cell locked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/entry_form.h"
#include "qpan/exchange.h"
#include "qpan/pack.h"
#include "qpan/status.h"

namespace qpan {

inline constexpr std::string_view kFormSheetName = "Biểu mẫu";
inline constexpr std::string_view kFormKeySheetName = "qpan";
inline constexpr std::string_view kFormWorkbookMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The workbook's bytes. `areas` names the sections (an area without a name is headed by its
// code). Written with libxlsxwriter.
Result<std::string> write_form_workbook(const EntryForm& form, const std::vector<SubjectArea>& areas);

// A file name for the form's workbook: "bieu-ds.antt.commune.monthly-03400-201601.xlsx".
std::string form_workbook_file_name(const EntryForm& form);

// A filled workbook read back: an entry per input cell that holds a value (an empty cell
// changes nothing), each named "form.xlsx: 'Biểu mẫu'!D14: " for the write path's problems.
// The value is the cell's as the write path reads values: a number as its shortest exact
// text, "Có"/"Không" (or Excel's TRUE/FALSE) of a boolean element as true/false, a text as
// it is — a text in a number cell is left for the write path to refuse, naming the cell.
// Problems of the workbook itself, by file and cell: not an XLSX workbook, not a qpan form
// (no "qpan" sheet, or it names no data set, unit or period), an element the catalogue or
// the data set does not have, an option the element does not have, an Excel error value
// (#DIV/0!) in an input cell.
DocumentEntries read_form_workbook(std::string_view bytes, const std::string& file, const Catalogue& catalogue,
                                   const std::vector<DataSet>& data_sets);

}  // namespace qpan
