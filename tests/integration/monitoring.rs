//! Tests of this area (added with it).
