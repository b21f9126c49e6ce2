//! The DejaVu fonts the fixtures print with, read from Debian's font packages at run time.

use ab_glyph::FontVec;
use serde::{Deserialize, Serialize};

use crate::FixtureError;

/// Where Debian installs the DejaVu TrueType files.
const DEJAVU_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// A typeface family of the fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Font {
    /// DejaVu Sans (`fonts-dejavu-core`).
    Sans,
    /// DejaVu Serif (`fonts-dejavu-core`).
    Serif,
    /// DejaVu Sans Mono (`fonts-dejavu-core`).
    Mono,
    /// DejaVu Sans Condensed (`fonts-dejavu-extra`).
    Condensed,
}

impl Font {
    /// Every family, in a fixed order.
    pub const ALL: [Font; 4] = [Font::Sans, Font::Serif, Font::Mono, Font::Condensed];

    /// The file names of the regular and bold faces, and the Debian package holding them.
    fn files(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Font::Sans => ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
            Font::Serif => (
                "DejaVuSerif.ttf",
                "DejaVuSerif-Bold.ttf",
                "fonts-dejavu-core",
            ),
            Font::Mono => (
                "DejaVuSansMono.ttf",
                "DejaVuSansMono-Bold.ttf",
                "fonts-dejavu-core",
            ),
            Font::Condensed => (
                "DejaVuSansCondensed.ttf",
                "DejaVuSansCondensed-Bold.ttf",
                "fonts-dejavu-extra",
            ),
        }
    }
}

/// The regular and bold faces of one family.
pub(crate) struct Faces {
    pub regular: FontVec,
    pub bold: FontVec,
}

/// Reads the regular and bold faces of `font`.
pub(crate) fn load(font: Font) -> Result<Faces, FixtureError> {
    let (regular, bold, package) = font.files();
    Ok(Faces {
        regular: read(regular, package)?,
        bold: read(bold, package)?,
    })
}

fn read(file: &str, package: &'static str) -> Result<FontVec, FixtureError> {
    let path = format!("{DEJAVU_DIR}/{file}");
    let bytes = std::fs::read(&path).map_err(|source| FixtureError::FontMissing {
        path: path.clone(),
        package,
        source,
    })?;
    FontVec::try_from_vec(bytes).map_err(|_| FixtureError::FontInvalid { path })
}
