"""Storage: the SQLCipher engine, the ORM models and the Alembic migrations."""
