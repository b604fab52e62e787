//! Messages for counter staff.
//!
//! Every error a clerk can meet carries two texts: `Display` in English for logs and developers, and
//! [`StaffMessage::message_ja`] in the Japanese a counter clerk uses. Neither may contain personal data.

/// The Japanese text shown to counter staff (窓口担当) for an error or a notice.
pub trait StaffMessage {
    /// Japanese message for staff. Never contains the value that was typed when that value is personal data.
    fn message_ja(&self) -> String;
}
