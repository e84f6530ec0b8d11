pub mod errors;
pub mod shell;
