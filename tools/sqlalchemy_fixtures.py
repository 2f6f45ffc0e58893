#!/usr/bin/env python3
"""Record the DDL real SQLAlchemy 2.0's `metadata.create_all` sends to real PostgreSQL.

For each model source crates/core/tests/fixtures/models/<name>.py (the same text the Rust
tests parse), executes it as a module, creates a fresh database on the test PostgreSQL,
runs `Base.metadata.create_all` against it through psycopg2, and writes every statement
SQLAlchemy sent (a `before_cursor_execute` listener) to
crates/core/tests/fixtures/ddl/<name>.sql. So each fixture is what create_all really
emits (CREATE TYPE for native enums, tables in its dependency order, each table's
indexes, ALTER TABLE for use_alter foreign keys, COMMENT ON) and PostgreSQL accepted it.

Two normalisations, where create_all iterates a set so its order differs run to run:
a run of CREATE INDEX statements on one table is written in index-name order, and the
closing run of ALTER TABLE ... ADD (foreign keys with use_alter or on a cycle) in text
order. Our DDL uses the same orders.

Usage: scripts/test runs it with the throwaway cluster's socket directory; by hand,
    scripts/setup && scripts/pg start /tmp/pgdev
    .venv/bin/python tools/sqlalchemy_fixtures.py /tmp/pgdev
"""

import re
import sys
import types
from pathlib import Path

import sqlalchemy
from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "crates/core/tests/fixtures/models"
DDL = ROOT / "crates/core/tests/fixtures/ddl"
INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX (\S+) ON (\S+)")


def load_metadata(path: Path) -> sqlalchemy.MetaData:
    # A real module in sys.modules: declarative resolves string annotations
    # ('Order', list['Category']) through the class's module.
    name = f"fixture_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module.Base.metadata


def canonical_order(statements: list[str]) -> list[str]:
    altered = sorted(s for s in statements if s.startswith("ALTER TABLE"))
    rest = [s for s in statements if not s.startswith("ALTER TABLE")]
    return in_index_name_order(rest) + altered


def in_index_name_order(statements: list[str]) -> list[str]:
    ordered: list[str] = []
    run: list[tuple[str, str]] = []  # (index name, statement) on one table

    def flush() -> None:
        ordered.extend(statement for _, statement in sorted(run))
        run.clear()

    for statement in statements:
        index = INDEX.match(statement)
        if index and run and INDEX.match(run[0][1]).group(2) != index.group(2):
            flush()
        if index:
            run.append((index.group(1).strip('"'), statement))
        else:
            flush()
            ordered.append(statement)
    flush()
    return ordered


def create_all_statements(server: str, name: str, metadata: sqlalchemy.MetaData) -> list[str]:
    database = f"fixture_{name}"
    admin = create_engine(
        f"postgresql+psycopg2://postgres@/postgres?host={server}", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    engine = create_engine(f"postgresql+psycopg2://postgres@/{database}?host={server}")
    sent: list[str] = []
    try:
        with engine.connect() as conn:
            event.listen(
                conn, "before_cursor_execute", lambda c, cur, statement, *rest: sent.append(statement)
            )
            # checkfirst=False: no catalogue queries in between, only the DDL itself.
            metadata.create_all(conn, checkfirst=False)
            conn.commit()
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()
    return canonical_order([statement.strip() for statement in sent])


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: sqlalchemy_fixtures.py <PostgreSQL socket directory>")
    server = sys.argv[1]
    DDL.mkdir(parents=True, exist_ok=True)
    print(f"SQLAlchemy {sqlalchemy.__version__}: create_all on PostgreSQL at {server}")
    written = set()
    for path in sorted(MODELS.glob("*.py")):
        statements = create_all_statements(server, path.stem, load_metadata(path))
        out = DDL / f"{path.stem}.sql"
        out.write_text("".join(statement + ";\n\n" for statement in statements))
        written.add(out.name)
    # A fixture whose model is gone is drift too.
    for stale in DDL.glob("*.sql"):
        if stale.name not in written:
            stale.unlink()
    print(f"wrote {len(written)} DDL fixtures to {DDL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
