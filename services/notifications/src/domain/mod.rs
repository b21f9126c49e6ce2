//! Pure parts of the notifications service: message validation, recipients allowed out of the
//! sandbox, retry delays and how failures are classified, what other staff see of a message.

pub mod mask;
pub mod message;
pub mod retry;

pub use mask::mask_links_and_codes;
pub use message::{InvalidMessage, OutgoingEmail, OutgoingSms, is_allowed};
pub use retry::{SendError, retry_delay};
