//! Test harness: see TestApp.
