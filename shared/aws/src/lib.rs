//! The AWS adapters of the storage ports: entries, logs, settings, projects and
//! documents on one DynamoDB table ([`dynamo`]), raw uploads, logs and exports in one
//! versioned S3 bucket ([`s3`]); and the Lambda events the functions receive
//! ([`events`]).

pub mod cognito;
pub mod dynamo;
pub mod events;
pub mod migrate;
pub mod s3;
