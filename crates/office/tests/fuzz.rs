//! A bounded fuzz of the spreadsheet and CSV readers: random bytes under every name, and
//! mutations of a valid xlsx (its sheet XML mutated, then packed again) and of a valid CSV.
//! Nothing may panic or hang; a bad file is an `Err`. A few hundred cases each, so it runs in
//! seconds with the other tests.

use std::io::{Cursor, Read, Write};

use domain::table::{Row, Table};
use office::{read_table, write_csv, write_xlsx};
use proptest::prelude::*;

fn sample() -> Table {
    let mut t = Table { headers: vec!["标题".into(), "刊发日期".into(), "字数".into()], rows: vec![] };
    for i in 0..5 {
        t.rows.push(Row {
            number: i + 2,
            cells: vec![format!("稿件{i}").into(), domain::table::Cell::Number(39_000.0 + i as f64), "1200".into()],
        });
    }
    t
}

/// The parts of a zip, in order.
fn unpack(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

fn pack(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        z.start_file(name.as_str(), stored).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// Replaces, inserts or deletes bytes at the given places.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, op, value) in edits {
        if bytes.is_empty() {
            bytes.push(value);
            continue;
        }
        let at = at % bytes.len();
        match op % 3 {
            0 => bytes[at] = value,
            1 => bytes.insert(at, value),
            _ => {
                bytes.remove(at);
            }
        }
    }
    bytes
}

/// Bytes that matter to XML and to numbers, more often than chance would give them.
fn interesting() -> impl Strategy<Value = u8> {
    prop_oneof![any::<u8>(), prop::sample::select(b"<>/=\"' 0123456789AZrctsv:&;#x\n,".to_vec())]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), ext in prop::sample::select(vec!["csv", "xlsx", "ods", "xls"])) {
        let _ = read_table(&format!("f.{ext}"), &bytes);
        // A zip's magic number, then noise.
        let mut zip_like = b"PK\x03\x04".to_vec();
        zip_like.extend_from_slice(&bytes);
        let _ = read_table(&format!("f.{ext}"), &zip_like);
    }

    #[test]
    fn mutated_sheets_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>(), interesting()), 1..12), part in 0usize..8) {
        let parts = unpack(&write_xlsx("稿件", &sample()).unwrap());
        let part = part % parts.len();
        let mut mutated = parts.clone();
        mutated[part].1 = mutate(mutated[part].1.clone(), &edits);
        let _ = read_table("f.xlsx", &pack(&mutated));
        // And the packed file itself, damaged.
        let _ = read_table("f.xlsx", &mutate(write_xlsx("稿件", &sample()).unwrap(), &edits));
    }

    #[test]
    fn mutated_csv_never_panics(edits in prop::collection::vec((any::<usize>(), any::<u8>(), interesting()), 1..20)) {
        let csv = write_csv(&sample());
        if let Ok(t) = read_table("f.csv", &mutate(csv, &edits)) {
            prop_assert!(t.headers.len() <= 200);
        }
    }
}
