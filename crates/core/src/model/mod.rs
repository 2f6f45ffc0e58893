//! SQLAlchemy declarative models: parser (Python subset), model IR, PostgreSQL DDL, ER diagram.
