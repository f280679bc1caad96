//! signature_help
