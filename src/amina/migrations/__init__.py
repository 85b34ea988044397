"""Alembic migrations (run them with `amina migrate`)."""
