"""Storage: SQLAlchemy tables, repositories and Alembic migrations. The only place with SQL."""
