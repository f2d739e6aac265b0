"""The one scheduler process: due tasks on a date, and the outbox dispatcher."""
