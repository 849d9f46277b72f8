//! Moving a register between backends: every table copied row by row into
//! an empty target in one transaction, then counted and checksummed on both
//! sides.
