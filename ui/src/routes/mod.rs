pub mod catalog;
pub mod domains;
pub mod policies;
pub mod product;
pub mod requests;
pub mod schemas;
pub mod settings;
pub mod unmanaged;
