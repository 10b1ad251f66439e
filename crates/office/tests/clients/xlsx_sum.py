"""Opens a workbook as a person's spreadsheet would, with openpyxl, and adds a total row.

    python3 xlsx_sum.py IN.xlsx OUT.xlsx

Prints, as JSON, each column's header with the type openpyxl read for every data cell
("n" number, "s" text, ...) and its number format; then writes OUT.xlsx: IN with a row of
=SUM(...) formulas under every column but the first, each formatted like the cell above it,
for LibreOffice to calculate.
"""

import json
import sys

import openpyxl

source, target = sys.argv[1], sys.argv[2]
book = openpyxl.load_workbook(source)
sheet = book.active
last = sheet.max_row
columns = {}
for column in range(1, sheet.max_column + 1):
    header = sheet.cell(row=1, column=column).value
    cells = [sheet.cell(row=row, column=column) for row in range(2, last + 1)]
    columns[header] = {
        "types": [c.data_type for c in cells],
        "formats": [c.number_format for c in cells],
    }
    if column > 1:
        letter = openpyxl.utils.get_column_letter(column)
        total = sheet.cell(row=last + 1, column=column, value=f"=SUM({letter}2:{letter}{last})")
        total.number_format = cells[-1].number_format
book.save(target)
print(json.dumps(columns, ensure_ascii=False))
