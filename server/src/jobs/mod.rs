//! Work done after the request that caused it: the durable outbox that email and Microsoft
//! jobs go through, and the periodic chores.

pub mod housekeeping;
pub mod outbox;
