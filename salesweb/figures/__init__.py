"""Read-only reporting over many features: metrics, analytics, attainment and charts."""
