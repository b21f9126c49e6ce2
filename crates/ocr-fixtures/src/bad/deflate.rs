//! Just enough of zlib (RFC 1950/1951) and PNG chunks to write PNGs of any size in bounded memory
//! and a crafted decompression bomb: no general-purpose encoder does either (the bomb is a
//! hand-built dynamic Huffman block), hence our own.

/// Bits written least significant first, as deflate packs them.
pub(crate) struct Bits {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    pub fn new() -> Self {
        Bits {
            out: Vec::new(),
            acc: 0,
            count: 0,
        }
    }

    /// The low `count` bits of `value`, least significant first (header fields, extra bits).
    pub fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value & ((1u32 << count) - 1)) << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push((self.acc & 0xFF) as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code of `length` bits, most significant first.
    pub fn code(&mut self, code: u32, length: u32) {
        for bit in (0..length).rev() {
            self.put((code >> bit) & 1, 1);
        }
    }

    /// The bytes, the last one padded with zeros.
    pub fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push((self.acc & 0xFF) as u8);
        }
        self.out
    }
}

/// A zlib stream in one fixed-Huffman block, compressing runs of equal bytes only (length/
/// distance-1 pairs, 13 bits per 258 bytes); the Adler-32 is kept as the data goes by.
pub(crate) struct RunEncoder {
    bits: Bits,
    adler: Adler,
}

const LENGTH_BASE: [u32; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];

impl RunEncoder {
    pub fn new() -> Self {
        let mut bits = Bits::new();
        bits.put(0x78, 8);
        bits.put(0x01, 8);
        bits.put(1, 1);
        bits.put(1, 2);
        RunEncoder {
            bits,
            adler: Adler::new(),
        }
    }

    /// Appends `data`.
    pub fn write(&mut self, data: &[u8]) {
        let mut rest = data;
        while let Some(&byte) = rest.first() {
            let run = rest.iter().take_while(|&&b| b == byte).count();
            self.run(byte, run);
            rest = &rest[run..];
        }
    }

    fn run(&mut self, byte: u8, count: usize) {
        self.adler.repeat(byte, count as u64);
        self.literal(u32::from(byte));
        let mut left = count - 1;
        while left >= 3 {
            let length = left.min(258);
            self.length(length as u32);
            self.bits.code(0, 5);
            left -= length;
        }
        for _ in 0..left {
            self.literal(u32::from(byte));
        }
    }

    fn literal(&mut self, symbol: u32) {
        match symbol {
            0..=143 => self.bits.code(0x30 + symbol, 8),
            144..=255 => self.bits.code(0x190 + symbol - 144, 9),
            256..=279 => self.bits.code(symbol - 256, 7),
            _ => self.bits.code(0xC0 + symbol - 280, 8),
        }
    }

    fn length(&mut self, length: u32) {
        let index = LENGTH_BASE
            .iter()
            .rposition(|&base| base <= length)
            .unwrap_or(0);
        self.literal(257 + index as u32);
        let extra = match index {
            0..=7 | 28 => 0,
            _ => (index as u32 - 4) / 4,
        };
        if extra > 0 {
            self.bits.put(length - LENGTH_BASE[index], extra);
        }
    }

    /// The zlib stream: end of block, padding, Adler-32.
    pub fn finish(mut self) -> Vec<u8> {
        self.literal(256);
        let mut out = self.bits.finish();
        out.extend_from_slice(&self.adler.value().to_be_bytes());
        out
    }
}

/// A zlib stream of `pairs × 258 + 1` zero bytes in about `pairs / 4` bytes: a dynamic Huffman
/// block where the length 258 and the distance 1 codes are one bit each (deflate's best ratio,
/// about 1000:1).
pub(crate) fn zeros_bomb(pairs: u64) -> Vec<u8> {
    let mut bits = Bits::new();
    bits.put(0x78, 8);
    bits.put(0xDA, 8);
    bits.put(1, 1); // the last block
    bits.put(2, 2); // dynamic Huffman
    bits.put(29, 5); // 286 literal/length codes
    bits.put(1, 5); // 2 distance codes
    bits.put(14, 4); // 18 code length codes
    // Code length code lengths in RFC 1951 order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1:
    // 18 gets 1 bit (code 0), 1 and 2 get 2 bits (codes 10, 11).
    for length in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] {
        bits.put(length, 3);
    }
    // Literal/length lengths: 0 → 2, 1..=255 → 0, 256 → 2, 257..=284 → 0, 285 → 1; then the
    // distance lengths 1, 1.
    bits.code(0b11, 2);
    for zeros in [138, 117] {
        bits.code(0, 1);
        bits.put(zeros - 11, 7);
    }
    bits.code(0b11, 2);
    bits.code(0, 1);
    bits.put(28 - 11, 7);
    for _ in 0..3 {
        bits.code(0b10, 2);
    }
    // Codes: 285 → 0, literal 0 → 10, end of block → 11; distance code 0 → 0.
    bits.code(0b10, 2);
    for _ in 0..pairs {
        bits.code(0, 1);
        bits.code(0, 1);
    }
    bits.code(0b11, 2);
    let mut out = bits.finish();
    let mut adler = Adler::new();
    adler.repeat(0, pairs * 258 + 1);
    out.extend_from_slice(&adler.value().to_be_bytes());
    out
}

/// Adler-32, updated a run at a time.
struct Adler {
    a: u64,
    b: u64,
}

const ADLER_MOD: u64 = 65_521;

impl Adler {
    fn new() -> Self {
        Adler { a: 1, b: 0 }
    }

    /// `count` bytes equal to `byte`: a grows by count × byte, b by count × a plus the
    /// triangular sum of the increments.
    fn repeat(&mut self, byte: u8, count: u64) {
        let byte = u64::from(byte);
        let count_mod = count % ADLER_MOD;
        let triangle = (count % (2 * ADLER_MOD)) * ((count + 1) % (2 * ADLER_MOD)) / 2 % ADLER_MOD;
        self.b = (self.b + count_mod * self.a + byte * triangle) % ADLER_MOD;
        self.a = (self.a + count_mod * byte) % ADLER_MOD;
    }

    fn value(&self) -> u32 {
        ((self.b << 16) | self.a) as u32
    }
}

/// A PNG chunk: length, type, data, CRC-32 of type and data.
pub(crate) fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[4..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// A PNG of `width` × `height`, `depth` bits per sample of grey, from its zlib stream.
pub(crate) fn png_file(width: u32, height: u32, depth: u8, zlib: &[u8]) -> Vec<u8> {
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[depth, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &header));
    out.extend(chunk(b"IDAT", zlib));
    out.extend(chunk(b"IEND", &[]));
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
