//! Reading a store's SQS event queue: long-poll receives, batch deletes, value-free errors.

use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;

use super::client::{StoreConfig, build_sqs};
use super::error::{ProviderError, classify_service};

/// Longest long poll SQS allows, in seconds.
pub const WAIT_SECONDS: i32 = 20;
/// Most messages one ReceiveMessage returns.
pub const BATCH: i32 = 10;
/// How long a received message stays invisible to other receivers before it is handed out again
/// (it is deleted long before, once its refreshes are queued).
pub const VISIBILITY_SECONDS: i32 = 60;

/// One received message.
#[derive(Debug, Clone)]
pub struct QueueMessage {
    /// Handle to delete it with.
    pub receipt: String,
    /// Its body (an EventBridge event).
    pub body: String,
}

/// An SQS queue read with a store's credentials.
#[derive(Clone)]
pub struct EventQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl EventQueue {
    /// A reader of `url` in `region` with the credentials of `config`, at `endpoint` (None: the
    /// standard SQS endpoint of the region).
    pub async fn new(
        config: &StoreConfig,
        region: &str,
        endpoint: Option<&str>,
        url: &str,
    ) -> Self {
        Self {
            client: build_sqs(config, region, endpoint).await,
            url: url.to_string(),
        }
    }

    /// Checks that the queue exists and may be read (GetQueueAttributes).
    pub async fn check(&self) -> Result<(), ProviderError> {
        self.client
            .get_queue_attributes()
            .queue_url(&self.url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(e, "GetQueueAttributes"))
    }

    /// One receive: up to [`BATCH`] messages, waiting up to `wait_seconds` (at most
    /// [`WAIT_SECONDS`]: a long poll) for the first.
    pub async fn receive(&self, wait_seconds: i32) -> Result<Vec<QueueMessage>, ProviderError> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(BATCH)
            .wait_time_seconds(wait_seconds.clamp(0, WAIT_SECONDS))
            .visibility_timeout(VISIBILITY_SECONDS)
            .send()
            .await
            .map_err(|e| classify(e, "ReceiveMessage"))?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                Some(QueueMessage {
                    receipt: m.receipt_handle?,
                    body: m.body.unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Deletes handled messages (one DeleteMessageBatch per 10); returns how many SQS refused.
    pub async fn delete(&self, receipts: &[String]) -> Result<usize, ProviderError> {
        let mut failed = 0;
        for chunk in receipts.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(r)
                        .build()
                        .ok()
                })
                .collect();
            let out = self
                .client
                .delete_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| classify(e, "DeleteMessageBatch"))?;
            failed += out.failed.len();
        }
        Ok(failed)
    }
}

/// Maps an SQS error to a kind (NotFound: the queue does not exist) and a message naming the call.
fn classify<E>(err: SdkError<E, aws_sdk_sqs::config::http::HttpResponse>, op: &str) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (kind, detail) = classify_service(
        &err,
        "SQS",
        &[
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist",
        ],
        &[],
    );
    ProviderError::new(kind, format!("{op}: {detail}"))
}
