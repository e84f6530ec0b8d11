pub mod confirm;
pub mod errors;
pub mod parked;
pub mod shell;
