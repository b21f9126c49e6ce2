//! The local provider: Tesseract on the page, then parsing of its text; barcodes by rxing.
