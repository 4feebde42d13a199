"""Every Prometheus metric the services expose, defined once.

RED for RPC, HTTP and events; relay lag; projection lag; dead letters. Labels are bounded
(service, method, route, event type, outcome): never a person, a branch or a ballot."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

rpc_requests = Counter(
    "grassroots_rpc_requests", "RPC calls handled, by outcome (ok, refused, error).",
    ["service", "method", "outcome"],
)
rpc_duration = Histogram(
    "grassroots_rpc_duration_seconds", "Time to handle an RPC call.",
    ["service", "method"], buckets=LATENCY_BUCKETS,
)
http_requests = Counter(
    "grassroots_http_requests", "HTTP requests handled, by route and status.",
    ["method", "route", "status"],
)
http_duration = Histogram(
    "grassroots_http_request_duration_seconds", "Time to answer an HTTP request.",
    ["method", "route"], buckets=LATENCY_BUCKETS,
)

events_recorded = Counter(
    "grassroots_events_recorded", "Events appended to a writer's log.", ["source"],
)
events_published = Counter(
    "grassroots_events_published", "Events the relay published and RabbitMQ confirmed.", ["source"],
)
relay_position = Gauge(
    "grassroots_relay_position", "Last log position the relay published and had confirmed.", ["source"],
)
relay_lag = Gauge(
    "grassroots_relay_lag_events", "Events recorded but not yet confirmed by RabbitMQ.", ["source"],
)
relay_failures = Counter(
    "grassroots_relay_failures", "Relay rounds that failed (broker away, nack, timeout).", ["source"],
)
relay_batch_duration = Histogram(
    "grassroots_relay_batch_duration_seconds", "Time to publish and confirm one batch.",
    ["source"], buckets=LATENCY_BUCKETS,
)

events_applied = Counter(
    "grassroots_events_applied", "Events a follower applied.", ["consumer", "source"],
)
events_duplicate = Counter(
    "grassroots_events_duplicate", "Deliveries a follower ignored as already applied.", ["consumer", "source"],
)
events_pulled = Counter(
    "grassroots_events_pulled", "Events a follower fetched from the source over RPC to fill a gap.",
    ["consumer", "source"],
)
apply_failures = Counter(
    "grassroots_event_apply_failures", "Attempts to apply an event that raised.", ["consumer", "source"],
)
apply_duration = Histogram(
    "grassroots_event_apply_duration_seconds", "Time to apply one batch of events.",
    ["consumer", "source"], buckets=LATENCY_BUCKETS,
)
projection_position = Gauge(
    "grassroots_projection_position", "Last source position a follower applied.", ["consumer", "source"],
)
projection_lag = Gauge(
    "grassroots_projection_lag_events", "Source positions seen but not yet applied.", ["consumer", "source"],
)
dead_letters = Counter(
    "grassroots_dead_letters", "Messages sent to a dead-letter queue, by reason (malformed, failed).",
    ["consumer", "source", "reason"],
)
