//! navigation
