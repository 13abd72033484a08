"""Background work (webhook outbox, schedules, reconciliation): one bounded batch per run_once()."""
