#!/usr/bin/env python3
"""Builds the hostile files of tests/hostile/files, byte for byte, with the Python standard
library only (zipfile and zlib at fixed levels and dates, so the same Python writes the same
bytes).

    tests/hostile/make_corpus.py [--out DIR] [--big]

Without --big, the small files that are checked in (well under 2 MB in all):

  dims.xlsx          two cells, A1 and XFD1048576: a reader that sizes the sheet by its
                     rectangle asks for 17 billion cells
  sst_bomb.xlsx      one shared string of 1 GiB of text, about 1 MB packed
  sst_count.xlsx     a shared-string part that declares 4 billion strings
  dims.xls           two cells, A1 and IV65536, in an Excel 97-2003 workbook (BIFF8 in a
                     compound file) whose DIMENSIONS record says so: a reader that builds the
                     sheet as a rectangle asks for 16.7 million cells, about 1 GB
  ods_bomb.ods       one cell repeated over 16,384 columns and 1,048,576 rows
  elf.docx           the first 4 KB of /bin/true, named .docx (also posted as .xlsx and .png)
  invalid_utf8.csv   a CSV that is neither UTF-8 nor GBK
  gbk.csv            units in GBK, as Chinese Excel saves CSV: must import
  png_bomb.png       a 67-byte PNG that claims 100,000 x 100,000 pixels

With --big, also the files made at test time (too big to check in):

  zip_bomb.xlsx      an xlsx whose word/document.xml unpacks to 4 GB ("<a/>" over and over),
                     about 4 MB packed; also a .docx by its parts
  rows_100k.xlsx     units, 100,000 rows: must be read (a normal large import)
"""

import argparse
import os
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DATE = (2007, 6, 1, 0, 0, 0)

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(dimension, rows):
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'


def info(name):
    zi = zipfile.ZipInfo(name, DATE)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.create_system = 3
    zi.external_attr = 0o644 << 16
    return zi


def xlsx(path, sheet_xml, shared=None):
    """A minimal workbook; `shared` is the sharedStrings.xml text, or a function writing it."""
    with zipfile.ZipFile(path, "w", compresslevel=9) as z:
        z.writestr(info("[Content_Types].xml"), CONTENT_TYPES)
        z.writestr(info("_rels/.rels"), ROOT_RELS)
        z.writestr(info("xl/workbook.xml"), WORKBOOK)
        z.writestr(info("xl/_rels/workbook.xml.rels"), WORKBOOK_RELS)
        z.writestr(info("xl/worksheets/sheet1.xml"), sheet_xml)
        if callable(shared):
            with z.open(info("xl/sharedStrings.xml"), "w") as f:
                shared(f)
        elif shared is not None:
            z.writestr(info("xl/sharedStrings.xml"), shared)


def dims(out):
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    xlsx(os.path.join(out, "dims.xlsx"), sheet("A1:XFD1048576", rows))


def biff(typ, data=b""):
    return struct.pack("<HH", typ, len(data)) + data


def compound_file(name, stream):
    """A compound file (MS-CFB, version 3, 512-byte sectors) of one stream: the header, one FAT
    sector, one directory sector, then the stream, padded to 4096 bytes so that it lives in
    ordinary sectors and not in the mini stream."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    n = len(stream) // 512
    assert n + 2 <= 128
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    header = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(16)
    header += struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    fat = [0xFFFFFFFD, end] + [i + 3 for i in range(n - 1)] + [end]
    fat = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xFF")

    def entry(name, kind, child, start, size):
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, free, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1, end, 0) + entry(name, 2, free, 2, len(stream))
    directory = directory.ljust(512, b"\0")
    return header + fat + directory + stream


def dims_xls(out):
    globals_bof = biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 1997, 0, 6))
    sheet_bof = biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 1997, 0, 6))
    name = b"Sheet1"
    boundsheet_len = 4 + len(struct.pack("<IBBBB", 0, 0, 0, len(name), 0) + name)
    sheet_at = len(globals_bof) + boundsheet_len + 4
    globals_ = globals_bof + biff(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, len(name), 0) + name) + biff(0x000A)
    sheet = (sheet_bof + biff(0x0200, struct.pack("<IIHHH", 0, 65536, 0, 256, 0))
             + biff(0x0203, struct.pack("<HHHd", 0, 0, 0, 1.0))
             + biff(0x0203, struct.pack("<HHHd", 65535, 255, 0, 1.0)) + biff(0x000A))
    assert len(globals_) == sheet_at
    with open(os.path.join(out, "dims.xls"), "wb") as f:
        f.write(compound_file("Workbook", globals_ + sheet))


def sst_bomb(out):
    def shared(f):
        f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="1" uniqueCount="1"><si><t>'.encode())
        chunk = b"A" * (1 << 20)
        for _ in range(1024):  # 1 GiB
            f.write(chunk)
        f.write(b"</t></si></sst>")

    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    xlsx(os.path.join(out, "sst_bomb.xlsx"), sheet("A1", rows), shared)


def sst_count(out):
    shared = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="4000000000" uniqueCount="4000000000"><si><t>名称</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    xlsx(os.path.join(out, "sst_count.xlsx"), sheet("A1", rows), shared)


def ods_bomb(out):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(os.path.join(out, "ods_bomb.ods"), "w", compresslevel=9) as z:
        mimetype = info("mimetype")
        mimetype.compress_type = zipfile.ZIP_STORED
        z.writestr(mimetype, "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(info("content.xml"), content)
        z.writestr(info("META-INF/manifest.xml"), manifest)


def elf(out):
    with open("/bin/true", "rb") as f:
        head = f.read(4096)
    assert head.startswith(b"\x7fELF")
    with open(os.path.join(out, "elf.docx"), "wb") as f:
        f.write(head)


def csvs(out):
    with open(os.path.join(out, "invalid_utf8.csv"), "wb") as f:
        f.write("名称,类型\n".encode() + b"\xff\xfe\xfd\x80,\x81\n")
    with open(os.path.join(out, "gbk.csv"), "wb") as f:
        f.write("名称,类型\r\n恶意测试局,机关\r\n恶意测试市,市州\r\n".encode("gbk"))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(out):
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64, 9)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    with open(os.path.join(out, "png_bomb.png"), "wb") as f:
        f.write(data)


def zip_bomb(out, size=4_000_000_000):
    """An entry of `size` bytes of "<a/>", deflated once per MiB and repeated: once the window
    is full of the pattern, every MiB deflates to the same bytes."""
    mib = 1 << 20
    assert size % mib == 0 or True
    block = b"<a/>" * (mib // 4)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
    second = c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
    third = c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
    assert second == third
    n = size // mib
    tail = c.compress(b"") + c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    size = n * mib
    path = os.path.join(out, "zip_bomb.xlsx")
    entries = []
    with open(path, "wb") as f:

        def local(name, method, crc_, packed, unpacked, write):
            offset = f.tell()
            name_b = name.encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x3EC1, crc_, packed, unpacked, len(name_b), 0))
            f.write(name_b)
            write()
            entries.append((name_b, method, crc_, packed, unpacked, offset))

        for name, text in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS), ("xl/workbook.xml", WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet("A1", '<row r="1"><c r="A1"><v>1</v></c></row>'))]:
            raw = text.encode()
            packed = zlib.compressobj(9, zlib.DEFLATED, -15)
            body = packed.compress(raw) + packed.flush()
            local(name, 8, zlib.crc32(raw), len(body), len(raw), lambda body=body: f.write(body))
        packed_len = len(first) + len(second) * (n - 1) + len(tail)

        def bomb():
            f.write(first)
            for _ in range(n - 1):
                f.write(second)
            f.write(tail)

        local("word/document.xml", 8, crc, packed_len, size, bomb)
        start = f.tell()
        for name_b, method, crc_, packed, unpacked, offset in entries:
            f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0, method, 0, 0x3EC1, crc_, packed, unpacked,
                                len(name_b), 0, 0, 0, 0, 0o644 << 16, offset))
            f.write(name_b)
        end = f.tell()
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), end - start, start, 0))


def rows_100k(out, n=100_000):
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1" t="inlineStr"><is><t>类型</t></is></c></row>']
    for i in range(2, n + 2):
        rows.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>测试单位{i:06d}</t></is></c><c r="B{i}" t="inlineStr"><is><t>机关</t></is></c></row>')
    xlsx(os.path.join(out, "rows_100k.xlsx"), sheet(f"A1:B{n + 1}", "".join(rows)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(HERE, "files"))
    p.add_argument("--big", action="store_true", help="also the files made at test time")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for make in (dims, dims_xls, sst_bomb, sst_count, ods_bomb, elf, csvs, png_bomb):
        make(a.out)
    if a.big:
        zip_bomb(a.out)
        rows_100k(a.out)


if __name__ == "__main__":
    main()
