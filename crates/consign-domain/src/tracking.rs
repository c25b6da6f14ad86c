//! Public tracking (`/track`): anyone with a waybill number and the last four digits of
//! the shipper's or consignee's phone sees that shipment's status and events. Consign
//! keeps only those four digits of either phone (all the check needs; the full numbers
//! stay in the carrier's own systems), and counts lookups so that the four digits cannot
//! be guessed.

/// Failed lookups one address may make in [`IP_WINDOW_MINUTES`] before it is refused.
pub const MAX_IP_FAILURES: i64 = 10;
/// Lookups of any outcome one address may make in [`IP_WINDOW_MINUTES`].
pub const MAX_IP_LOOKUPS: i64 = 60;
pub const IP_WINDOW_MINUTES: i64 = 15;
/// Wrong digits for one waybill number, from any address, in [`WAYBILL_WINDOW_HOURS`]
/// before that number is refused to everyone for the rest of the window (10,000
/// combinations: a guesser spread over many addresses needs some 500 hours on average,
/// while a shipment is on the road for days).
pub const MAX_WAYBILL_FAILURES: i64 = 10;
pub const WAYBILL_WINDOW_HOURS: i64 = 1;
/// How long lookups are remembered (housekeeping forgets older ones).
pub const KEEP_HOURS: i64 = 24;

/// The last four digits of a phone number as an export or a person writes it
/// (`13800138000`, `138****5678`, `+86 138 0013 8000`, `0571-88886666`, `0571-88886666
/// 转 801`): an extension is not part of the number. `None` when fewer than four digits
/// end it.
pub fn last4(phone: &str) -> Option<String> {
    // What follows 转, # or x is an extension; spaces, hyphens and brackets only group.
    let cut = phone
        .find(['转', '#', 'x', 'X'].as_slice())
        .map(|i| &phone[..i])
        .unwrap_or(phone);
    let digits: Vec<char> = cut
        .chars()
        .rev()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != ')' && *c != '）')
        .take(4)
        .collect();
    if digits.len() == 4 && digits.iter().all(|c| c.is_ascii_digit()) {
        Some(digits.into_iter().rev().collect())
    } else {
        None
    }
}

/// Whether a caller's input is four ASCII digits (what the form and the API accept).
pub fn is_last4(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_four_digits_of_phones_as_written() {
        for (phone, want) in [
            ("13800138000", Some("8000")),
            ("138****5678", Some("5678")),
            ("+86 138 0013 8000", Some("8000")),
            ("0571-88886666", Some("6666")),
            ("0571-8888-6666", Some("6666")),
            ("0571-88886666 转 801", Some("6666")),
            ("0571-88886666#801", Some("6666")),
            ("(021) 6666-1234", Some("1234")),
            ("138****", None),
            ("123", None),
            ("", None),
            ("无", None),
        ] {
            assert_eq!(last4(phone).as_deref(), want, "{phone}");
        }
        assert!(is_last4("0000"));
        assert!(!is_last4("12345"));
        assert!(!is_last4("12a4"));
        assert!(!is_last4("１２３４"));
    }
}
