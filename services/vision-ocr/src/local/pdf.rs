//! A PDF's pages rendered grey by poppler's `pdftoppm` into a temporary directory, then decoded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::GrayImage;

use super::{LocalError, LocalSettings};
use crate::process;

/// A directory of our own under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, LocalError> {
        let path = std::env::temp_dir().join(format!("vision-ocr-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&path)
            .map_err(|e| LocalError::Failed(format!("no temporary directory: {e}")))?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Nothing to do about a directory that cannot be removed but leave it to the system.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Pages 1 to `pages` of `bytes`, each scaled to `pdf_long_side_px` on its long side.
pub(super) async fn render(
    bytes: &[u8],
    pages: u32,
    settings: &LocalSettings,
) -> Result<Vec<Arc<GrayImage>>, LocalError> {
    let dir = TempDir::new()?;
    let prefix = dir.0.join("page");
    let (size, last) = (
        settings.pdf_long_side_px.to_string(),
        pages.max(1).to_string(),
    );
    let prefix_arg = prefix.to_string_lossy();
    let args = [
        "-gray",
        "-scale-to",
        &size,
        "-png",
        "-f",
        "1",
        "-l",
        &last,
        "fd://0",
        &prefix_arg,
    ];
    process::run("pdftoppm", &args, bytes, settings.limits).await?;
    let path = dir.0.clone();
    let decoded = tokio::task::spawn_blocking(move || decode_dir(&path))
        .await
        .map_err(|e| LocalError::Failed(e.to_string()))??;
    drop(dir);
    if decoded.is_empty() {
        return Err(LocalError::Failed("pdftoppm rendered no page".into()));
    }
    Ok(decoded)
}

/// The PNG files of `dir`, in page order (`page-1.png` … or `page-01.png` …), decoded grey.
fn decode_dir(dir: &Path) -> Result<Vec<Arc<GrayImage>>, LocalError> {
    let failed = |e: std::io::Error| LocalError::Failed(e.to_string());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(failed)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    files.sort_by_key(|p| page_number(p));
    files
        .iter()
        .map(|p| {
            image::open(p)
                .map(|img| Arc::new(img.into_luma8()))
                .map_err(|e| LocalError::Failed(format!("a rendered page is unreadable: {e}")))
        })
        .collect()
}

fn page_number(path: &Path) -> u32 {
    path.file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}
