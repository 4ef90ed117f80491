//! The HTTP API. Versioned under `/api/v1`.

pub mod v1;
