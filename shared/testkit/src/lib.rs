//! Test and benchmark support: deterministic, realistic generated fiscal-year logs.
//! A dev-dependency only, so nothing here ships in a Lambda function.

pub mod generator;
