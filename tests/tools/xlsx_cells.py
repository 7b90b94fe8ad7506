#!/usr/bin/env python3
"""Prints the cells of an XLSX workbook, one per line: sheet, cell, value, number format
(tab-separated). An independent reader (Python's zipfile and XML parser, not libxlsxwriter)
that the tests use to check what qpan writes. Numbers are shown as Excel reads them: 15
significant digits (libxlsxwriter writes 16, so 67.716 is stored as 67.71599999999999)."""
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
REL = '{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id'
BUILTIN_FORMATS = {0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00'}


def main(path):
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        if bad:
            sys.exit(f'{path}: corrupt member {bad}')
        workbook = ET.fromstring(z.read('xl/workbook.xml'))
        rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
        targets = {r.get('Id'): r.get('Target') for r in rels}
        strings = []
        if 'xl/sharedStrings.xml' in z.namelist():
            for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', NS):
                strings.append(''.join(t.text or '' for t in si.iter(f'{{{NS["m"]}}}t')))
        styles = ET.fromstring(z.read('xl/styles.xml'))
        formats = dict(BUILTIN_FORMATS)
        for f in styles.findall('m:numFmts/m:numFmt', NS):
            formats[int(f.get('numFmtId'))] = f.get('formatCode')
        cell_formats = [int(x.get('numFmtId', 0)) for x in styles.findall('m:cellXfs/m:xf', NS)]
        for sheet in workbook.findall('m:sheets/m:sheet', NS):
            target = targets[sheet.get(REL)].lstrip('/')
            member = target if target.startswith('xl/') else 'xl/' + target
            for c in ET.fromstring(z.read(member)).iter(f'{{{NS["m"]}}}c'):
                v = c.find('m:v', NS)
                if v is None:
                    continue
                if c.get('t') == 's':
                    value = strings[int(v.text)]
                elif c.get('t') in (None, 'n'):
                    value = '%.15g' % float(v.text)
                else:
                    value = v.text
                style = int(c.get('s', 0))
                fmt = formats.get(cell_formats[style], '?') if c.get('t') != 's' else ''
                print(f"{sheet.get('name')}\t{c.get('r')}\t{value}\t{fmt}")


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: xlsx_cells.py FILE.xlsx')
    main(sys.argv[1])
