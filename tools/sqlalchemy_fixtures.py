#!/usr/bin/env python3
"""Compile each reference model snippet to PostgreSQL DDL with real SQLAlchemy 2.0.

Reads crates/core/tests/fixtures/models/<name>.py (the same text the Rust tests parse),
executes it as a module, and writes what `metadata.create_all` would emit for the
postgresql dialect to crates/core/tests/fixtures/ddl/<name>.sql: CREATE TABLE for each
table in `metadata.sorted_tables` order, each followed by its CREATE INDEX statements
(create_all emits a table's indexes right after the table), preceded by CREATE TYPE for
the native PostgreSQL enums the tables use. No database is needed.

Usage (Python 3.11):
    python3 -m venv /tmp/sa && /tmp/sa/bin/pip install 'sqlalchemy>=2.0,<2.1'
    /tmp/sa/bin/python tools/sqlalchemy_fixtures.py
"""

import sys
import types
from pathlib import Path

import sqlalchemy
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType
from sqlalchemy.schema import CreateIndex, CreateTable

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "crates/core/tests/fixtures/models"
DDL = ROOT / "crates/core/tests/fixtures/ddl"


def load_metadata(path: Path) -> sqlalchemy.MetaData:
    # A real module in sys.modules: declarative resolves string annotations
    # ('Order', list['Category']) through the class's module.
    name = f"fixture_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module.Base.metadata


def ddl_for(metadata: sqlalchemy.MetaData) -> str:
    dialect = postgresql.dialect()
    statements = []
    # create_all creates native enum types first (a before_create hook on the metadata),
    # in the order their columns were attached: table definition order.
    seen = set()
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, sqlalchemy.Enum) and column.type.name not in seen:
                seen.add(column.type.name)
                statements.append(str(CreateEnumType(column.type).compile(dialect=dialect)).strip())
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        # Table.indexes is a set, so create_all's order among one table's indexes is
        # arbitrary; the fixtures (and our DDL) use name order.
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return "".join(statement + ";\n\n" for statement in statements)


def main() -> None:
    DDL.mkdir(parents=True, exist_ok=True)
    print(f"SQLAlchemy {sqlalchemy.__version__}")
    for path in sorted(MODELS.glob("*.py")):
        out = DDL / f"{path.stem}.sql"
        out.write_text(ddl_for(load_metadata(path)))
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
