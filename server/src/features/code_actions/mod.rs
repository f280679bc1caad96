//! Code actions: quick fixes, suppressions, fix-all and the split into stages.
