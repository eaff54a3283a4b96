//! The reconcilers' error type for kube-runtime: every failure is reported on the object itself;
//! what is left is a status write that failed.

/// Error type of the reconciler (all failures are reported on the object; this is for kube-runtime).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing status failed.
    #[error("updating status of {0}: {1}")]
    Status(String, #[source] kube::Error),
}
