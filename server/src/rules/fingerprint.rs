//! A fast 64-bit fingerprint of texts, for the memos that keep findings across checks.
//! Not collision-proof: the memos compare the texts too.

/// FNV-1a folded 8 bytes at a time.
#[derive(Clone, Copy)]
pub(crate) struct Fp(pub u64);

impl Fp {
    pub fn new() -> Fp {
        Fp(0xcbf2_9ce4_8422_2325)
    }
    pub fn u64(mut self, v: u64) -> Fp {
        self.0 = (self.0 ^ v)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(29);
        self
    }
    pub fn bytes(mut self, b: &[u8]) -> Fp {
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut v = [0u8; 8];
            v.copy_from_slice(c);
            self = self.u64(u64::from_le_bytes(v));
        }
        let rest = chunks.remainder();
        let mut v = [0u8; 8];
        v[..rest.len()].copy_from_slice(rest);
        self.u64(u64::from_le_bytes(v)).u64(b.len() as u64)
    }
    pub fn str(self, s: &str) -> Fp {
        self.bytes(s.as_bytes())
    }
}
