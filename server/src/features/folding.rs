//! folding
