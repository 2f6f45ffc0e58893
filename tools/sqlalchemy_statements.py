#!/usr/bin/env python3
"""Record the statements real SQLAlchemy 2.0 emits for ORM flushes and loader strategies.

Executes crates/core/tests/fixtures/orm/models.py (the same source the Rust tests parse),
runs each case below against an in-memory SQLite database, and records every statement
the ORM sends to the DBAPI (a `before_cursor_execute` listener: text, parameters, and
whether it was an executemany) into crates/core/tests/fixtures/orm/<case>.json.
Seeding happens before recording starts. Transaction control (BEGIN/COMMIT) does not
reach the cursor under pysqlite, so it is not recorded; the Rust session logs it.

The Rust tests (crates/core/tests/orm_*.rs) compare our statements with these up to
whitespace, parameter style (`?` here; `%(name)s` in ours, PostgreSQL's psycopg2 style)
and parameter values (UUIDs and timestamps differ run to run).

Usage (Python 3.11):
    python3 -m venv /tmp/sa && /tmp/sa/bin/pip install 'sqlalchemy>=2.0,<2.1'
    /tmp/sa/bin/python tools/sqlalchemy_statements.py
"""

import json
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import (
    Session,
    joinedload,
    lazyload,
    load_only,
    raiseload,
    selectinload,
    subqueryload,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates/core/tests/fixtures/orm"
USERS = 10
ORDERS_PER_USER = 3
ITEMS_PER_ORDER = 2
PRODUCTS = 4


def load_models() -> types.ModuleType:
    path = OUT / "models.py"
    module = types.ModuleType("orm_models")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module


M = load_models()


class Recorder:
    def __init__(self, engine):
        self.statements = None
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if self.statements is None:
            return
        # An executemany gets a list of parameter tuples; insertmanyvalues (one multi-row
        # INSERT, flagged executemany) gets one flat tuple.
        if parameters and isinstance(parameters[0], list | tuple):
            params = [list(p) for p in parameters]
        else:
            params = list(parameters)
        self.statements.append(
            {"sql": statement, "params": jsonable(params), "executemany": executemany}
        )


def jsonable(value):
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def fresh():
    engine = create_engine("sqlite://")
    M.Base.metadata.create_all(engine)
    return engine, Recorder(engine)


def seed(engine):
    with Session(engine) as s:
        products = [M.Product(name=f"product {p}") for p in range(PRODUCTS)]
        s.add_all(products)
        for u in range(USERS):
            user = M.User(email=f"user{u}@example.com")
            for o in range(ORDERS_PER_USER):
                order = M.Order()
                for i in range(ITEMS_PER_ORDER):
                    order.items.append(
                        M.OrderItem(
                            product=products[(o + i) % PRODUCTS], unit_price=9.5, quantity=i + 1
                        )
                    )
                user.orders.append(order)
            s.add(user)
        s.commit()


CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn

    return register


# --- loader strategies: 10 users, 3 orders each, every user's orders accessed ---


def load_users(s, *options):
    result = s.scalars(select(M.User).options(*options))
    users = result.unique().all()
    return [len(u.orders) for u in users]


@case("load_lazy")
def _(s, recorder):
    assert load_users(s, lazyload(M.User.orders)) == [ORDERS_PER_USER] * USERS


@case("load_joined")
def _(s, recorder):
    assert load_users(s, joinedload(M.User.orders)) == [ORDERS_PER_USER] * USERS


@case("load_selectin")
def _(s, recorder):
    assert load_users(s, selectinload(M.User.orders)) == [ORDERS_PER_USER] * USERS


@case("load_subquery")
def _(s, recorder):
    assert load_users(s, subqueryload(M.User.orders)) == [ORDERS_PER_USER] * USERS


@case("load_default")
def _(s, recorder):
    # User.orders is declared lazy='selectin'.
    assert load_users(s) == [ORDERS_PER_USER] * USERS


@case("load_raise")
def _(s, recorder):
    users = s.scalars(select(M.User).options(raiseload(M.User.orders))).all()
    try:
        users[0].orders
    except InvalidRequestError as error:
        return {"error": str(error)}
    raise AssertionError("raiseload did not raise")


@case("load_nested")
def _(s, recorder):
    users = s.scalars(
        select(M.User).options(
            selectinload(M.User.orders)
            .selectinload(M.Order.items)
            .joinedload(M.OrderItem.product)
        )
    ).all()
    names = [i.product.name for u in users for o in u.orders for i in o.items]
    assert len(names) == USERS * ORDERS_PER_USER * ITEMS_PER_ORDER


@case("load_only")
def _(s, recorder):
    users = s.scalars(
        select(M.User)
        .options(load_only(M.User.id, M.User.email))
        .options(selectinload(M.User.orders).load_only(M.Order.id))
    ).all()
    assert sum(len(u.orders) for u in users) == USERS * ORDERS_PER_USER


@case("get")
def _(s, recorder):
    user_id = s.scalars(select(M.User.id).where(M.User.email == "user3@example.com")).one()
    s.expunge_all()
    recorder.statements.clear()  # the id lookup is setup, not the case
    user = s.get(M.User, user_id)
    assert len(user.orders) == ORDERS_PER_USER


@case("soft_delete_filter")
def _(s, recorder):
    products = s.scalars(select(M.Product).where(M.Product.deleted_at.is_(None))).all()
    assert len(products) == PRODUCTS


# --- flushes ---


@case("flush_insert")
def _(s, recorder):
    user = M.User(email="new@example.com")
    user.orders = [M.Order(), M.Order()]
    s.add(user)
    s.commit()


@case("flush_update")
def _(s, recorder):
    user = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user1@example.com")
    ).one()
    user.email = "renamed@example.com"
    s.commit()


@case("flush_soft_delete")
def _(s, recorder):
    product = s.scalars(select(M.Product).where(M.Product.name == "product 1")).one()
    product.deleted_at = datetime.now(UTC)
    s.commit()


@case("flush_delete_cascade")
def _(s, recorder):
    user = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user2@example.com")
    ).one()
    s.delete(user)
    s.commit()


@case("flush_delete_orphan")
def _(s, recorder):
    user = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user4@example.com")
    ).one()
    order = user.orders[0]
    user.orders.remove(order)
    s.commit()


@case("flush_audit")
def _(s, recorder):
    # The reference's before_flush listener, with the column values for to_dict().
    def audit_changes(session, flush_context, instances):
        for obj in list(session.new):
            if isinstance(obj, M.User):
                session.add(
                    M.AuditLog(
                        table_name=obj.__tablename__,
                        record_id=str(obj.id),
                        action="INSERT",
                        new_values={"email": obj.email},
                    )
                )

    event.listen(s, "before_flush", audit_changes)
    # The listener reads obj.id before the flush assigns it: give the id up front.
    s.add(M.User(id="00000000-0000-4000-8000-000000000001", email="audited@example.com"))
    s.commit()


def main() -> None:
    print(f"SQLAlchemy {sqlalchemy.__version__}")
    for name, fn in CASES.items():
        engine, recorder = fresh()
        seed(engine)
        recorder.statements = []
        with Session(engine) as s:
            extra = fn(s, recorder) or {}
        fixture = {"case": name, "statements": recorder.statements, **extra}
        out = OUT / f"{name}.json"
        out.write_text(json.dumps(fixture, indent=1) + "\n")
        print(f"wrote {out.relative_to(ROOT)}: {len(recorder.statements)} statements")


if __name__ == "__main__":
    main()
