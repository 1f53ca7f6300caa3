//! "Your card at home" (بطاقتك إلى بيتك): a unified card printed and carried to the holder. The order
//! moves requested → printed → out for delivery → delivered, or failed (nobody home, wrong address) and
//! then out for delivery again; delivered is final. Anything else is refused, so the tracking a citizen
//! reads is a true history.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Requested,
    Printed,
    OutForDelivery,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 5] = [
        DeliveryStatus::Requested,
        DeliveryStatus::Printed,
        DeliveryStatus::OutForDelivery,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeliveryStatus::Requested => "requested",
            DeliveryStatus::Printed => "printed",
            DeliveryStatus::OutForDelivery => "out_for_delivery",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }

    pub fn label_ar(self) -> &'static str {
        match self {
            DeliveryStatus::Requested => "تم استلام الطلب",
            DeliveryStatus::Printed => "طُبعت البطاقة",
            DeliveryStatus::OutForDelivery => "البطاقة في الطريق إليك",
            DeliveryStatus::Delivered => "سُلّمت البطاقة",
            DeliveryStatus::Failed => "تعذّر التسليم",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DeliveryStatus::Requested => "order received",
            DeliveryStatus::Printed => "card printed",
            DeliveryStatus::OutForDelivery => "out for delivery",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "delivery failed",
        }
    }

    /// Whether an order may move from `self` to `next`.
    pub fn may_become(self, next: DeliveryStatus) -> bool {
        use DeliveryStatus::*;
        matches!(
            (self, next),
            (Requested, Printed)
                | (Printed, OutForDelivery)
                | (OutForDelivery, Delivered)
                | (OutForDelivery, Failed)
                | (Failed, OutForDelivery)
        )
    }
}

// Printed and logged as the stored code.
impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_forward_steps_and_a_retry_after_failure() {
        use DeliveryStatus::*;
        let allowed = [
            (Requested, Printed),
            (Printed, OutForDelivery),
            (OutForDelivery, Delivered),
            (OutForDelivery, Failed),
            (Failed, OutForDelivery),
        ];
        for a in DeliveryStatus::ALL {
            for b in DeliveryStatus::ALL {
                assert_eq!(a.may_become(b), allowed.contains(&(a, b)), "{a:?} -> {b:?}");
            }
            assert_eq!(DeliveryStatus::parse(a.code()), Some(a));
        }
        // Delivered is final.
        assert!(
            DeliveryStatus::ALL
                .iter()
                .all(|b| !Delivered.may_become(*b))
        );
    }
}
