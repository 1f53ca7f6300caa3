//! Pre-registration and the centre visit (issue 5), on both backends: booking by geography with its
//! refusals, the nearest free centre, no overbooking under concurrency, one booking per repeated
//! submission, reschedule and cancel, reminders and no-shows, check-in by the signed form, per-member
//! verification through the hub (and with the hub down), completion, and the progress figures.
//! Split by idea into `slots`, `visit` and `online`.

// The tests' clock starts on Saturday 2026-11-21 at 12:00 in Iraq; Friday the 27th is the rest day.

mod online;
mod slots;
mod visit;
