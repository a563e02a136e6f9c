"""Durable storage: SQLAlchemy 2 tables, Alembic migrations, and the record repositories.

SQLite (WAL) is the embedded default; PostgreSQL (psycopg 3) is the production database.
"""
