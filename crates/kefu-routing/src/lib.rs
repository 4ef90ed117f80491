//! Routing, shifts, SLA clock and staffing maths. Filled in by the routing issue; pure, `now` is a parameter.
