//! Pure rules and types of the ration-card registry (DESIGN.md, "domain"): validated identifiers,
//! geography as data, households and members, reason-coded holds and the card state they imply.
//! No I/O, no async, no clock: callers pass time in.

pub mod access;
pub mod appointment;
pub mod audit;
pub mod card_number;
pub mod card_state;
pub mod complaint;
pub mod csv_columns;
pub mod delivery;
pub mod error;
pub mod geography;
pub mod hold;
pub mod household;
pub mod ids;
pub mod job;
pub mod national_id;
pub mod outlet;
pub mod payment;
pub mod phone;
pub mod programme;
pub mod proxy;
pub mod screening;

pub use card_number::CardNumber;
pub use card_state::{CardState, card_state, member_entitled};
pub use error::{FieldError, ValidationErrors, check_free_text};
pub use geography::{District, Geography, Governorate, UpdateCentre};
pub use hold::{Hold, HoldReason, HoldScope};
pub use household::{
    Household, HouseholdRecord, Member, MemberInput, NewHousehold, Presence, Relation, Sex,
    Vulnerability,
};
pub use ids::{AppointmentId, FindingId, HouseholdId, MemberId};
pub use national_id::NationalId;
pub use phone::Phone;

/// Check digit of the Luhn scheme over ASCII digits (used by national IDs and card numbers).
pub(crate) fn luhn_check_digit(payload: &str) -> u8 {
    let mut sum = 0u32;
    for (i, b) in payload.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    ((10 - (sum % 10)) % 10) as u8
}
