//! The family's message for each collection and each void (issue 16 point 3), as India sends an SMS per
//! transaction so that families notice misuse: what was taken, where, when, by whom, and what is left
//! this month. Written in the same transaction as the collection.

use super::RedemptionView;
use crate::Registry;
use tamwin_domain::HouseholdRecord;
use tamwin_domain::outlet::Outlet;
use tamwin_store::{OutboxMessage, Redemption};

/// `رز 3000 g` as the message shows a quantity, the item named in the message's language.
fn amount(name: String, unit: &str, q: i64) -> String {
    format!("{name} {q} {unit}")
}

impl Registry {
    pub(crate) fn receipt(&self, r: &HouseholdRecord, v: &RedemptionView) -> Option<OutboxMessage> {
        let phone = r.household.phone.as_ref()?;
        let taken = |lang: &str| -> Vec<String> {
            v.taken
                .iter()
                .map(|t| amount(self.item_name(&t.item, lang), &t.unit, t.quantity))
                .collect()
        };
        // An allowance's goods are bounded by its money: the money left says it, in one line.
        let left = |lang: &str| -> Vec<String> {
            v.left
                .iter()
                .filter(|l| l.price.is_none())
                .map(|l| amount(self.item_name(&l.item, lang), &l.unit, l.left))
                .collect()
        };
        let at = self.local_time(&v.at);
        // A proxy's collection says so: the family learns of each one its proxy makes.
        let (who, by) = match &v.proxy_national_id {
            Some(_) => (format!("{} (وكيلكم)", v.collector_name), " by your proxy"),
            None => (v.collector_name.clone(), ""),
        };
        Some(OutboxMessage {
            message_id: self.ids.id(),
            channel: "sms".into(),
            recipient: phone.as_str().to_string(),
            body: format!(
                "تموين: استلم {who} لبطاقتكم {} من {} ({}) في {at}: {}.\nالمتبقي لشهر {}: {}.\nإن لم تستلموا أنتم فاشتكوا من صفحتكم.\nTamwin: card {} collected{by} at {} on {at}: {}. Left for {}: {}.",
                v.card_number,
                v.outlet_name,
                v.outlet_code,
                taken("ar").join("، "),
                v.month,
                left("ar").join("، "),
                v.card_number,
                v.outlet_code,
                taken("en").join(", "),
                v.month,
                left("en").join(", "),
            ),
            created_at: self.clock.now(),
            delivered_at: None,
        })
    }

    pub(crate) fn void_message(
        &self,
        r: &HouseholdRecord,
        outlet: &Outlet,
        red: &Redemption,
    ) -> Option<OutboxMessage> {
        let phone = r.household.phone.as_ref()?;
        let at = self.local_time(&red.at.to_string());
        Some(OutboxMessage {
            message_id: self.ids.id(),
            channel: "sms".into(),
            recipient: phone.as_str().to_string(),
            body: format!(
                "تموين: أُلغي استلام بطاقتكم {} من {} ({}) في {at}، وأُعيدت الكميات إلى رصيدكم.\nTamwin: the collection for card {} at {} on {at} was voided; the quantities are back.",
                r.household.card_number,
                outlet.name_ar,
                outlet.code,
                r.household.card_number,
                outlet.code,
            ),
            created_at: self.clock.now(),
            delivered_at: None,
        })
    }

    /// A stored time as the country's local time, `YYYY-MM-DD HH:MM`.
    fn local_time(&self, at: &str) -> String {
        at.parse::<jiff::Timestamp>()
            .map(|t| {
                jiff::tz::Offset::constant(3)
                    .to_datetime(t)
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| at.to_string())
    }
}
