//! Writes the bad inputs to a directory (default `/tmp/ocr-samples/bad`) to try on decoders:
//! `cargo run -p ocr-fixtures --example bad_files [dir]`.

use std::path::PathBuf;

use ocr_fixtures::bad;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/ocr-samples/bad".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let files = [
        ("empty.bin", bad::empty()),
        ("not-an-image.html", bad::not_an_image()),
        ("truncated.jpg", bad::truncated_jpeg()),
        ("truncated.pdf", bad::truncated_pdf()),
        ("huge-50mp.png", bad::huge_png(50)),
        ("bomb.png", bad::png_bomb()),
        ("encrypted.pdf", bad::encrypted_pdf()),
        ("pages-200.pdf", bad::pdf_pages(200)),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes)?;
    }
    println!("bad inputs in {}", dir.display());
    Ok(())
}
