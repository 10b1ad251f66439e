"""Reads a .docx as python-docx (the library most Python tools use for Word files) sees it.

    python3 docx_read.py FILE.docx

Prints, as JSON: the style name and text of every paragraph of the body, of the table cells
and of the footers (null for a paragraph whose style python-docx cannot tell), the names of
the document's paragraph styles, and the width and height in EMU of every inline picture.
"""

import json
import sys

import docx
from docx.enum.style import WD_STYLE_TYPE


def described(paragraphs):
    return [[p.style.name if p.style is not None else None, p.text] for p in paragraphs]


document = docx.Document(sys.argv[1])
cells = []
for table in document.tables:
    for row in table.rows:
        for cell in row.cells:
            cells.extend(described(cell.paragraphs))
footers = []
for section in document.sections:
    footers.extend(described(section.footer.paragraphs))
print(
    json.dumps(
        {
            "body": described(document.paragraphs),
            "cells": cells,
            "footers": footers,
            "styles": [s.name for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH],
            "pictures": [[s.width, s.height] for s in document.inline_shapes],
        },
        ensure_ascii=False,
    )
)
