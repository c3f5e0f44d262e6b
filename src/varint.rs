//! Numbers written in as few bytes as they need: the packed forms a build keeps by the
//! million (a page's figures, a data file's values) write their numbers so.

/// Appends `n` to `out` as [LEB128] (seven bits a byte, the lowest first).
///
/// [LEB128]: https://en.wikipedia.org/wiki/LEB128
#[inline]
pub fn push(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The LEB128 number at `*at` in `bytes`, `*at` moved past it; none when the bytes end
/// first or it does not fit in 64 bits.
#[inline]
pub fn read(bytes: &[u8], at: &mut usize) -> Option<u64> {
    // Most numbers of a packed form take one byte.
    let first = *bytes.get(*at)?;
    if first < 0x80 {
        *at += 1;
        return Some(u64::from(first));
    }
    read_long(bytes, at)
}

/// [`read`] of a number of more than one byte.
fn read_long(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some(n);
        }
        shift += 7;
    }
}

/// A signed number as an unsigned one, small either side of zero ([zig-zag]).
///
/// [zig-zag]: https://protobuf.dev/programming-guides/encoding/#signed-ints
pub fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// The number [`zigzag`] made `n` of.
pub fn unzigzag(n: u64) -> i64 {
    (n >> 1) as i64 ^ -((n & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_as_written_in_as_few_bytes_as_they_need() {
        let numbers = [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ];
        let mut bytes = Vec::new();
        for &n in &numbers {
            push(&mut bytes, n);
        }
        // 1 + 1 + 1 + 2 + 2 + 2 + 3 + 5 + 10 bytes.
        assert_eq!(bytes.len(), 27);
        let mut at = 0;
        for &n in &numbers {
            assert_eq!(read(&bytes, &mut at), Some(n));
        }
        assert_eq!(read(&bytes, &mut at), None);
        // A number cut short reads as none.
        assert_eq!(read(&[0x80], &mut 0), None);
        for n in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
        assert_eq!([zigzag(0), zigzag(-1), zigzag(1), zigzag(-2)], [0, 1, 2, 3]);
    }
}
