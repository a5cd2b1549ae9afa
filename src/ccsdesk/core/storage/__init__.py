"""Storage: SQLAlchemy models, the engine with its safety pragmas, migrations, data folder."""
