//! Writes sample fixtures to a directory (default `/tmp/ocr-samples`) to look at:
//! `cargo run -p ocr-fixtures --example samples [dir]`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/ocr-samples".into()),
    );
    std::fs::create_dir_all(&dir)?;
    for case in ocr_fixtures::invoice_set().iter().step_by(5) {
        let (truth, img) = ocr_fixtures::invoice(case.seed, &case.style)?;
        std::fs::write(
            dir.join(format!("{}.png", case.name)),
            ocr_fixtures::png(&img),
        )?;
        std::fs::write(
            dir.join(format!("{}.txt", case.name)),
            format!("{truth:#?}"),
        )?;
    }
    for case in ocr_fixtures::label_set().iter().step_by(3) {
        let (truth, img) = ocr_fixtures::label(case.seed, &case.style)?;
        std::fs::write(
            dir.join(format!("{}.png", case.name)),
            ocr_fixtures::png(&img),
        )?;
        std::fs::write(
            dir.join(format!("{}.txt", case.name)),
            format!("{truth:#?}"),
        )?;
    }
    println!("samples in {}", dir.display());
    Ok(())
}
