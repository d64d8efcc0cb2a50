//! One integration-test binary (cheapest to build on two cores).

mod cli;
mod corpus;
mod diagnostics;
mod errors;
mod exhaustive;
mod hung;
mod oracle;
mod patches;
mod reduction;
mod reports;
mod robustness;
mod threads;
mod walkthrough;
