//! The hostile corpus (tests/hostile/files, made by tests/hostile/make_corpus.py): each file is
//! refused quickly with an error naming the limit, or, for the honest ones, read.

use std::time::{Duration, Instant};

use domain::table::Cell;
use office::{
    DocFormat, ImageError, Limits, OfficeError, PreviewError, document_text, process_image, read_table,
    read_table_within, sniff_document, write_xlsx,
};

fn corpus(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/hostile/files/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The error of reading `name` (as itself, or under `as_name`), which must come within `secs`.
fn refused(bytes: &[u8], as_name: &str, secs: u64) -> OfficeError {
    let started = Instant::now();
    let e = read_table(as_name, bytes).expect_err(as_name);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(secs), "{as_name}: {took:?}");
    e
}

fn limit_message(e: OfficeError) -> String {
    match e {
        OfficeError::Limit(m) => m,
        other => panic!("not a limit: {other:?}"),
    }
}

#[test]
fn the_dimension_bomb_is_refused_by_its_columns() {
    let m = limit_message(refused(&corpus("dims.xlsx"), "dims.xlsx", 5));
    assert_eq!(m, "表格超过 200 列（用到 XFD 列）");
}

#[test]
fn the_shared_string_bomb_is_refused_without_unpacking_it() {
    let m = limit_message(refused(&corpus("sst_bomb.xlsx"), "sst_bomb.xlsx", 10));
    assert_eq!(m, "文件中有一段文字超过 1024 KB");
}

#[test]
fn a_declared_string_count_is_not_trusted() {
    let m = limit_message(refused(&corpus("sst_count.xlsx"), "sst_count.xlsx", 5));
    assert_eq!(m, "共享字符串超过 5000000 个");
}

#[test]
fn the_ods_repeat_bomb_is_counted_before_calamine_builds_it() {
    let m = limit_message(refused(&corpus("ods_bomb.ods"), "ods_bomb.ods", 5));
    assert_eq!(m, "表格超过 200 列（用到 XFD 列）");
    // Within the columns, the repeated rows multiply out too.
    let narrow = ods(
        r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="10" office:value-type="float" office:value="1"/></table:table-row>"#,
    );
    let m = limit_message(refused(&narrow, "narrow.ods", 5));
    assert_eq!(m, "表格超过 300000 行（用到第 1048576 行）");
    let square = ods(
        r#"<table:table-row table:number-rows-repeated="200000"><table:table-cell table:number-columns-repeated="10" office:value-type="float" office:value="1"/></table:table-row>"#,
    );
    let m = limit_message(refused(&square, "square.ods", 5));
    assert_eq!(m, "表格范围超过 1000000 个单元格（200000 行 × 10 列）");
    // Trailing empty repeats, as LibreOffice writes them, are no bomb.
    let honest = ods(concat!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>名称</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>局办公室</text:p></table:table-cell></table:table-row>"#,
        r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
    ));
    let t = read_table("honest.ods", &honest).unwrap();
    assert_eq!((t.headers, t.rows.len()), (vec!["名称".to_string()], 1));
}

/// An .ods of one sheet with these rows.
fn ods(rows: &str) -> Vec<u8> {
    use std::io::Write;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    z.start_file("content.xml", stored).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.start_file("META-INF/manifest.xml", stored).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    z.finish().unwrap();
    out.into_inner()
}

#[test]
fn an_elf_is_no_spreadsheet_nor_document() {
    let elf = corpus("elf.docx");
    assert!(matches!(refused(&elf, "elf.xlsx", 5), OfficeError::Unreadable(_)));
    assert!(matches!(refused(&elf, "elf.ods", 5), OfficeError::Unreadable(_)));
    assert!(matches!(refused(&elf, "elf.csv", 5), OfficeError::Unreadable(_)));
    assert_eq!(sniff_document(&elf, "elf.docx"), Err(PreviewError::Unsupported));
    assert_eq!(
        document_text(&elf, DocFormat::Docx).map(|_| ()).map_err(|e| matches!(e, PreviewError::Corrupt { .. })),
        Err(true)
    );
    assert_eq!(process_image(&elf), Err(ImageError::Unsupported));
}

#[test]
fn the_xls_dimension_bomb_is_refused_before_calamine_builds_it() {
    // Its DIMENSIONS record asks calamine to reserve 65536 × 256 cells before a cell is read.
    let m = limit_message(refused(&corpus("dims.xls"), "dims.xls", 5));
    assert_eq!(m, "表格范围超过 1000000 个单元格（65536 行 × 256 列）");
    // Without DIMENSIONS, the cells themselves: the last column, then the rectangle.
    let corners = |column: u16| [number(0, 0), number(65535, column)].concat();
    let m = limit_message(refused(&xls(&corners(255)), "corners.xls", 5));
    assert_eq!(m, "表格超过 200 列（用到 IV 列）");
    let m = limit_message(refused(&xls(&corners(199)), "corners.xls", 5));
    assert_eq!(m, "表格范围超过 1000000 个单元格（65536 行 × 200 列）");
    // A MULRK's last column counts, and a DIMENSIONS calamine would underflow on is malformed.
    let rks: Vec<u8> = (0..256).flat_map(|_| [0u8, 0, 0, 0, 0xF0, 0x3F]).collect();
    let mulrk = record(0x00BD, &[&7u16.to_le_bytes()[..], &0u16.to_le_bytes(), &rks, &255u16.to_le_bytes()].concat());
    let m = limit_message(refused(&xls(&mulrk), "mulrk.xls", 5));
    assert_eq!(m, "表格超过 200 列（用到 IV 列）");
    let inverted = record(0x0200, &[&10u32.to_le_bytes()[..], &5u32.to_le_bytes(), &[0, 0, 1, 0, 0, 0]].concat());
    assert!(matches!(refused(&xls(&inverted), "inverted.xls", 5), OfficeError::Unreadable(_)));
    // Two honest cells are read.
    let t = read_table("two.xls", &xls(&[number(0, 0), number(1, 0)].concat())).unwrap();
    assert_eq!((t.headers, t.rows.len()), (vec!["1".to_string()], 1));
}

#[test]
fn an_encrypted_or_broken_xls_is_refused_clearly() {
    let e = refused(&xls_with_globals(&record(0x002F, &[1, 0]), &number(0, 0)), "secret.xls", 5);
    assert_eq!(e.to_string(), "文件无法读取：文件已加密：请在 Excel 或 WPS 中取消密码后再上传");
    assert!(matches!(refused(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "old.xls", 1), OfficeError::Unreadable(_)));
    // A sheet offset past the stream, which calamine would index out of range on.
    let mut bytes = xls(&number(0, 0));
    let at = bytes.windows(4).position(|w| w == [0x85, 0, 14, 0]).unwrap() + 4;
    bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(refused(&bytes, "far.xls", 1), OfficeError::Unreadable(_)));
    // calamine takes the first entry named Workbook wherever it is: a bomb in a storage beside
    // an honest stream is scanned too.
    let bomb = xls(&[number(0, 0), number(65535, 199)].concat());
    let honest = xls(&number(0, 0));
    let stream = |bytes: &[u8]| {
        use std::io::Read;
        let mut file = cfb::CompoundFile::open(std::io::Cursor::new(bytes)).unwrap();
        let mut data = Vec::new();
        file.open_stream("/Workbook").unwrap().read_to_end(&mut data).unwrap();
        data
    };
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_storage("/Hidden").unwrap();
    std::io::Write::write_all(&mut file.create_stream("/Hidden/Workbook").unwrap(), &stream(&bomb)).unwrap();
    std::io::Write::write_all(&mut file.create_stream("/Workbook").unwrap(), &stream(&honest)).unwrap();
    file.flush().unwrap();
    let m = limit_message(refused(&file.into_inner().into_inner(), "two_books.xls", 5));
    assert_eq!(m, "表格范围超过 1000000 个单元格（65536 行 × 200 列）");
}

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    [&typ.to_le_bytes()[..], &(data.len() as u16).to_le_bytes(), data].concat()
}

/// A NUMBER record: 1.0 at (row, column), from 0.
fn number(row: u16, column: u16) -> Vec<u8> {
    record(0x0203, &[&row.to_le_bytes()[..], &column.to_le_bytes(), &[0, 0], &1.0f64.to_le_bytes()].concat())
}

/// An .xls of one sheet holding these records.
fn xls(sheet: &[u8]) -> Vec<u8> {
    xls_with_globals(&[], sheet)
}

fn xls_with_globals(extra: &[u8], sheet: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let bof = |kind: u16| record(0x0809, &[&0x0600u16.to_le_bytes()[..], &kind.to_le_bytes(), &[0; 12]].concat());
    let name = b"Sheet1";
    let boundsheet = |at: u32| record(0x0085, &[&at.to_le_bytes()[..], &[0, 0, name.len() as u8, 0], name].concat());
    let at = (bof(5).len() + extra.len() + boundsheet(0).len() + 4) as u32;
    let stream =
        [bof(5), extra.to_vec(), boundsheet(at), record(0x000A, &[]), bof(0x10), sheet.to_vec(), record(0x000A, &[])]
            .concat();
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook").unwrap().write_all(&stream).unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

#[test]
fn invalid_utf8_is_refused_and_gbk_is_read() {
    let e = refused(&corpus("invalid_utf8.csv"), "invalid_utf8.csv", 1);
    assert_eq!(e.to_string(), "文件无法读取：文件编码无法识别，请另存为 UTF-8 编码的 CSV 文件");
    let t = read_table("gbk.csv", &corpus("gbk.csv")).unwrap();
    assert_eq!(t.headers, ["名称", "类型"]);
    assert_eq!(t.rows[0].cells[0], Cell::from("恶意测试局"));
}

#[test]
fn the_picture_bomb_is_refused_by_its_header() {
    assert_eq!(process_image(&corpus("png_bomb.png")), Err(ImageError::TooManyPixels));
}

#[test]
fn csv_limits_name_what_was_exceeded() {
    let limits = Limits { max_rows: 3, max_columns: 2, max_cells: 100, max_cell_chars: 5, ..Limits::default() };
    let read = |text: &str| read_table_within("a.csv", text.as_bytes(), &limits).map(|_| ()).map_err(limit_message);
    assert_eq!(read("a,b\n1,2\n3,4\n"), Ok(()));
    assert_eq!(read("a,b\n1,2\n3,4\n5,6\n"), Err("表格超过 3 行（用到第 4 行）".into()));
    assert_eq!(read("a,b,c\n"), Err("表格超过 2 列（用到 C 列）".into()));
    assert_eq!(read("a,\"123456\"\n"), Err("单元格文字超过 5 字".into()));
    assert_eq!(read("a,五个中文字\n"), Ok(()));
    let few = Limits { max_cells: 3, ..Limits::default() };
    let e = read_table_within("a.csv", b"a,b\n1,2\n", &few).unwrap_err();
    assert_eq!(e, OfficeError::Limit("表格超过 3 个单元格".into()));
    // A flood of commas is stopped at the column limit, not after allocating every cell.
    let commas = vec![b','; 50_000_000];
    let started = Instant::now();
    assert_eq!(limit_message(read_table("a.csv", &commas).unwrap_err()), "表格超过 200 列（用到 GS 列）");
    assert!(started.elapsed() < Duration::from_secs(5));
    // So is a flood of line breaks, at the row limit.
    let lines = vec![b'\n'; 50_000_000];
    assert_eq!(limit_message(read_table("a.csv", &lines).unwrap_err()), "表格超过 300000 行（用到第 300001 行）");
}

#[test]
fn the_clock_stops_a_slow_read() {
    let limits = Limits { max_duration: Duration::ZERO, ..Limits::default() };
    let text = "a,b\n".repeat(5000);
    let e = read_table_within("a.csv", text.as_bytes(), &limits).unwrap_err();
    assert_eq!(e, OfficeError::Limit("读取文件超过 0 秒，已停止".into()));
}

#[test]
fn xlsx_rows_cells_and_text_are_bounded_too() {
    let mut t = domain::table::Table { headers: vec!["名称".into(), "类型".into()], rows: vec![] };
    for i in 0..10 {
        t.rows.push(domain::table::Row { number: i + 2, cells: vec![format!("单位{i}").into(), "机关".into()] });
    }
    let bytes = write_xlsx("单位", &t).unwrap();
    let read =
        |limits: Limits| read_table_within("a.xlsx", &bytes, &limits).map(|t| t.rows.len()).map_err(limit_message);
    assert_eq!(read(Limits::default()), Ok(10));
    assert_eq!(read(Limits { max_rows: 5, ..Limits::default() }), Err("表格超过 5 行（用到第 11 行）".into()));
    assert_eq!(read(Limits { max_columns: 1, ..Limits::default() }), Err("表格超过 1 列（用到 B 列）".into()));
    assert_eq!(read(Limits { max_cells: 7, ..Limits::default() }), Err("表格超过 7 个单元格".into()));
    assert_eq!(read(Limits { max_cell_chars: 2, ..Limits::default() }), Err("单元格文字超过 2 字".into()));
    assert_eq!(read(Limits { max_unpacked_bytes: 1000, ..Limits::default() }), Err("文件解压后超过 0 MB".into()));
}

/// The files too big to check in: made here by the corpus script, when Python is at hand.
#[test]
fn the_zip_bomb_and_a_100k_row_sheet() {
    let dir = std::env::temp_dir().join(format!("tonglian-hostile-{}", std::process::id()));
    let script = format!("{}/../../tests/hostile/make_corpus.py", env!("CARGO_MANIFEST_DIR"));
    let made = std::process::Command::new("python3").arg(&script).arg("--out").arg(&dir).arg("--big").status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("python3 is missing: the big hostile files are not tested here");
        return;
    }
    let bomb = std::fs::read(dir.join("zip_bomb.xlsx")).unwrap();
    let m = limit_message(refused(&bomb, "zip_bomb.xlsx", 10));
    assert_eq!(m, "文件中的「word/document.xml」压缩比超过 200 倍，可能是压缩炸弹");
    // As a Word document, its text part is refused at its own limit.
    assert_eq!(sniff_document(&bomb, "zip_bomb.docx"), Ok(DocFormat::Docx));
    assert_eq!(document_text(&bomb, DocFormat::Docx), Err(PreviewError::Unpacked));

    let big = std::fs::read(dir.join("rows_100k.xlsx")).unwrap();
    let started = Instant::now();
    let t = read_table("rows_100k.xlsx", &big).unwrap();
    eprintln!("100,000 rows read in {:?}", started.elapsed());
    assert_eq!(t.rows.len(), 100_000);
    assert_eq!(t.rows[99_999].number, 100_001);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An xlsx of one sheet with this sheet data and these shared strings.
fn xlsx(sheet_data: &str, shared: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let strings: String = shared.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
        ("xl/sharedStrings.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{strings}</sst>"#, shared.len())),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        z.start_file(name, deflated).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// Found by trying to break it: text that is small in the file but copied into many cells, or
/// joined from many runs, is counted as the reader will keep it.
#[test]
fn text_copied_into_many_cells_or_joined_from_runs_is_bounded() {
    // One shared string of 32,000 characters shown in 40,000 cells (4.3 GB if copied).
    let long: String = "通联".repeat(16_000);
    let row: String = (0..200).map(|_| r#"<c t="s"><v>0</v></c>"#).collect();
    let rows: String = (1..=200).map(|r| format!(r#"<row r="{r}">{row}</row>"#)).collect();
    let m = limit_message(refused(&xlsx(&rows, &[&long]), "shared.xlsx", 10));
    assert_eq!(m, "表格中的文字合计超过 128 MB");
    // An inline string of three runs of 900 KB: each run is below the token limit
    // (varied characters, so that the file does not compress like a bomb)
    let mut seed = 7u32;
    let run: String = (0..300_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from_u32(0x4E00 + (seed >> 16) % 0x5000).unwrap_or('通')
        })
        .collect();
    let cell = format!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><r><t>{run}</t></r><r><t>{run}</t></r><r><t>{run}</t></r></is></c></row>"#
    );
    let m = limit_message(refused(&xlsx(&cell, &[]), "runs.xlsx", 10));
    assert_eq!(m, "单元格文字超过 32767 字");
    // One .ods cell of 32,000 characters repeated over 200 columns and 5,000 rows.
    let m = limit_message(refused(
        &ods(&format!(
            r#"<table:table-row table:number-rows-repeated="5000"><table:table-cell table:number-columns-repeated="200" office:value-type="string"><text:p>{long}</text:p></table:table-cell></table:table-row>"#
        )),
        "repeats.ods",
        10,
    ));
    assert_eq!(m, "表格中的文字合计超过 128 MB");
    // Honest text still reads, and a small budget is named when it is passed.
    let honest = xlsx(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>"#,
        &["名称", "局办公室"],
    );
    assert_eq!(read_table("honest.xlsx", &honest).unwrap().rows.len(), 1);
    let small = Limits { max_text_bytes: 8, ..Limits::default() };
    assert_eq!(
        read_table_within("honest.xlsx", &honest, &small).map_err(limit_message).err(),
        Some("表格中的文字合计超过 0 MB".into())
    );
}

/// An SST record holding these strings of 16-bit characters, all in the record itself.
fn sst(strings: &[&str]) -> Vec<u8> {
    let n = (strings.len() as u32).to_le_bytes();
    let mut body = [n, n].concat();
    for s in strings {
        let units: Vec<u16> = s.encode_utf16().collect();
        body.extend((units.len() as u16).to_le_bytes());
        body.push(1);
        body.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    }
    record(0x00FC, &body)
}

/// A LABELSST record: shared string `isst` at (row, column).
fn label_sst(row: u16, column: u16, isst: u32) -> Vec<u8> {
    record(0x00FD, &[&row.to_le_bytes()[..], &column.to_le_bytes(), &[0, 0], &isst.to_le_bytes()].concat())
}

/// Found by trying to break it: in an .xls, calamine copies a shared string into every LABELSST
/// cell that shows it, and gives a LABEL the room its length asks for, whatever follows.
#[test]
fn xls_text_copied_into_many_cells_is_bounded() {
    // One string of 32,000 characters, in 8,000-character pieces: the SST record, then three
    // CONTINUE records, each starting with the width of its characters (8-bit, 16-bit, 8-bit).
    let mut body = [1u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    body.extend(32_000u16.to_le_bytes());
    body.push(0);
    body.extend([b'a'; 8000]);
    let mut strings = record(0x00FC, &body);
    for wide in [false, true, false] {
        let piece: Vec<u8> = if wide { [b'a', 0].repeat(8000) } else { vec![b'a'; 8000] };
        strings.extend(record(0x003C, &[&[u8::from(wide)][..], &piece].concat()));
    }
    // Shown in 5,000 cells: 160 MB of copies.
    let cells: Vec<u8> = (0..5000).flat_map(|row| label_sst(row, 0, 0)).collect();
    let m = limit_message(refused(&xls_with_globals(&strings, &cells), "sst_copies.xls", 5));
    assert_eq!(m, "表格中的文字合计超过 128 MB");
    // 5,000 LABEL records of 9 bytes, each asking for room for 65,535 characters.
    let labels: Vec<u8> = (0..5000u16)
        .flat_map(|row| {
            record(0x0204, &[&row.to_le_bytes()[..], &[0, 0, 0, 0], &u16::MAX.to_le_bytes(), &[0]].concat())
        })
        .collect();
    let m = limit_message(refused(&xls(&labels), "labels.xls", 5));
    assert_eq!(m, "表格中的文字合计超过 128 MB");
    // A string whose characters run on into an empty CONTINUE, which calamine would index out
    // of range on, is malformed.
    let mut cut = [1u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    cut.extend([10, 0, 0, b'a', b'b']);
    let cut = [record(0x00FC, &cut), record(0x003C, &[])].concat();
    assert!(matches!(refused(&xls_with_globals(&cut, &label_sst(0, 0, 0)), "cut.xls", 5), OfficeError::Unreadable(_)));
    // Honest shared strings are read, and counted as they are kept: 6 and 12 bytes of UTF-8.
    let honest = xls_with_globals(&sst(&["名称", "局办公室"]), &[label_sst(0, 0, 0), label_sst(1, 0, 1)].concat());
    let t = read_table("honest.xls", &honest).unwrap();
    assert_eq!((t.headers, t.rows[0].cells[0].clone()), (vec!["名称".to_string()], Cell::from("局办公室")));
    for (max_text_bytes, ok) in [(18, true), (17, false)] {
        let limits = Limits { max_text_bytes, ..Limits::default() };
        assert_eq!(read_table_within("honest.xls", &honest, &limits).is_ok(), ok, "{max_text_bytes}");
    }
}
