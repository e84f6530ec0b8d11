//! Meshdesk's one integration-test binary. Every test talks to real parts: Apache Kafka and the
//! sandbox's Confluent-compatible registry started by the project's own code on free loopback ports, real
//! SQLite files, and (end to end) the real app window through tauri-driver and WebKitWebDriver.
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

mod access;
mod admin;
mod architecture;
mod authorizer;
mod avro_compat;
mod catalog;
mod changes;
mod cli;
mod cluster;
mod crash;
mod e2e;
mod e2e_access;
mod e2e_apicurio;
mod e2e_changes;
mod e2e_cluster;
mod e2e_lineage;
mod e2e_pages;
mod e2e_policies;
mod e2e_promote;
mod e2e_trust;
mod exports;
mod insiders;
mod json_schema_oracle;
mod layers;
mod package;
mod policies;
mod probe;
mod promote;
mod registry_client;
mod registry_contract;
mod sandbox;
mod security;
mod service;
mod topics;
mod transactions;
mod trust;
mod window;
mod wizard;
