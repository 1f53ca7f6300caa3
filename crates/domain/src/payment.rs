//! Payments of fees (issue 17 point 3; docs/proxies.md, "The fee"): where one stands. A payment counts
//! only once the provider's own status check says paid, for the amount and currency asked; the
//! callback alone never proves it. The codes are stored and never change.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Started; the citizen is at the provider's page, or the answer is awaited.
    Pending,
    Paid,
    /// The provider said failed or cancelled; the citizen may start another.
    Failed,
    /// Paid, then given back (the grant it paid for could not take effect).
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 4] = [
        PaymentStatus::Pending,
        PaymentStatus::Paid,
        PaymentStatus::Failed,
        PaymentStatus::Refunded,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Refunded => "refunded",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.code()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("settled"), None);
    }
}
