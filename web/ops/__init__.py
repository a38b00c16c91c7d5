"""Operating the service: health and readiness probes, Prometheus metrics, JSON logs with a request id."""
