pub mod code_editor;
pub mod confirm;
pub mod errors;
pub mod findings;
pub mod impact;
pub mod parked;
pub mod shell;
pub mod time;
