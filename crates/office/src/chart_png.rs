//! Charts as PNG pictures, for the Word documents: the SVG charts of `chart` drawn by resvg.
//! A .docx carries its charts as PNG because not every program that opens it draws SVG (WPS
//! and Word 2013 do not).
//!
//! The charts' titles and labels are Chinese, so drawing them needs a Chinese font on the
//! machine (Debian: fonts-noto-cjk or fonts-wqy-zenhei). Without one, `chart_png` fails with
//! an error that says so rather than drawing a chart whose unit names are blank or empty boxes:
//! such a chart looks finished and says nothing, and a missing font is fixed once, on the
//! server, by whoever reads the error. The font is looked for the first time a chart is drawn
//! and kept once found; a machine without one is asked again next time, so a font installed
//! later is used without a restart.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use skrifa::MetadataProvider;

use crate::OfficeError;

/// The widest picture drawn: 4000 pixels is over 600 dpi across an A4 page's text.
const MAX_CHART_PNG_WIDTH: u32 = 4000;

/// The fonts taken first, in the order the charts name them (`chart::FONT_FAMILY`); any other
/// font that has Chinese characters will do when none of these is there.
const PREFERRED_FONTS: [&str; 5] =
    ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC"];

/// Characters a font must have to count as a Chinese font.
const CHINESE_SAMPLE: &str = "中国年月单位采用";

/// Draws an SVG chart (from `bar_chart_svg` or `line_chart_svg`) as a PNG `width_px` pixels
/// wide, its height in proportion, on white.
pub fn chart_png(svg: &str, width_px: u32) -> Result<Vec<u8>, OfficeError> {
    if width_px == 0 || width_px > MAX_CHART_PNG_WIDTH {
        return Err(OfficeError::Write(format!("图表宽度应在1到{MAX_CHART_PNG_WIDTH}像素之间")));
    }
    let options = usvg::Options { fontdb: chinese_font()?, ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| OfficeError::Write(format!("图表无法绘制：{e}")))?;
    let size = tree.size();
    let scale = width_px as f32 / size.width();
    let height_px = (size.height() * scale).ceil() as u32;
    let too_big = || OfficeError::Write(format!("图表太大：{width_px}×{height_px}像素"));
    if height_px > 4 * MAX_CHART_PNG_WIDTH {
        return Err(too_big());
    }
    let mut pixmap = Pixmap::new(width_px, height_px.max(1)).ok_or_else(too_big)?;
    // White under the chart: a transparent PNG prints on whatever the viewer puts behind it.
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| OfficeError::Write(format!("图表无法保存为PNG：{e}")))
}

/// A font database of the machine's Chinese font alone, read into memory once (resvg would
/// otherwise read the font file again for every text), its family the charts' `sans-serif`.
fn chinese_font() -> Result<Arc<fontdb::Database>, OfficeError> {
    static FOUND: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    if let Some(fonts) = FOUND.get() {
        return Ok(fonts.clone());
    }
    let fonts = find_chinese_font()?;
    Ok(FOUND.get_or_init(|| fonts).clone())
}

fn find_chinese_font() -> Result<Arc<fontdb::Database>, OfficeError> {
    let mut system = fontdb::Database::new();
    system.load_system_fonts();
    let draws_chinese = |face: &fontdb::FaceInfo| {
        system
            .with_face_data(face.id, |data, index| {
                skrifa::FontRef::from_index(data, index).is_ok_and(|font| {
                    let charmap = font.charmap();
                    CHINESE_SAMPLE.chars().all(|c| charmap.map(c).is_some())
                })
            })
            .unwrap_or(false)
    };
    // A preferred family first, then the regular weight (the charts' text is regular).
    let rank = |face: &fontdb::FaceInfo| {
        let family = face
            .families
            .iter()
            .filter_map(|(name, _)| PREFERRED_FONTS.iter().position(|p| p == name))
            .min()
            .unwrap_or(PREFERRED_FONTS.len());
        (family, face.weight.0.abs_diff(fontdb::Weight::NORMAL.0))
    };
    let chosen = system.faces().filter(|face| draws_chinese(face)).min_by_key(|face| rank(face)).ok_or_else(|| {
        OfficeError::Write(
            "服务器上没有中文字体，图表中的中文无法绘制（请安装 fonts-noto-cjk 或 fonts-wqy-zenhei）".into(),
        )
    })?;
    let family = chosen.families.first().map(|(name, _)| name.clone()).unwrap_or_default();
    let data = system
        .with_face_data(chosen.id, |data, _| data.to_vec())
        .ok_or_else(|| OfficeError::Write(format!("中文字体「{family}」无法读取")))?;
    let mut fonts = fontdb::Database::new();
    fonts.load_font_data(data);
    fonts.set_sans_serif_family(family);
    Ok(Arc::new(fonts))
}
