#!/usr/bin/env python3
"""Record the statements real SQLAlchemy 2.0 emits for ORM flushes and loader strategies.

Executes crates/core/tests/fixtures/orm/models.py (the same source the Rust tests parse),
runs each case below against a fresh database on the test PostgreSQL (through psycopg2,
as an application would), and records every statement the ORM sends to the DBAPI (a
`before_cursor_execute` listener: text, parameters, and whether it was an executemany)
into crates/core/tests/fixtures/orm/<case>.json. Seeding happens before recording
starts. Transaction control (BEGIN/COMMIT) does not reach the cursor under psycopg2, so
it is not recorded; the Rust session logs it.

The Rust tests (crates/core/tests/orm_*.rs) compare our statements with these up to
whitespace, and our parameters' names with theirs. Keys are written sorted: SQLAlchemy
builds some parameter dicts from sets, so their order differs run to run.

Usage: scripts/test runs it with the throwaway cluster's socket directory; by hand,
    scripts/setup && scripts/pg start /tmp/pgdev
    .venv/bin/python tools/sqlalchemy_statements.py /tmp/pgdev
"""

import json
import sys
import types
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy
from sqlalchemy import create_engine, event, select, text
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
TAGS = 3


def load_models() -> types.ModuleType:
    path = OUT / "models.py"
    module = types.ModuleType("orm_models")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module


M = load_models()


# Deterministic defaults, so that re-recording gives the same fixtures (CI fails on any
# drift): the models' `uuid4()` and `datetime.now(UTC)` are replaced in the models'
# module by a counter of version-4 UUIDs and a clock that ticks 1 ms per call from a
# fixed instant. Everything SQLAlchemy does with the values is unchanged.
class _Uuids:
    count = 0

    def __call__(self):
        self.count += 1
        # From 0x1000 on: the audit case gives a user the fixed id ...-000000000001.
        return uuid.UUID(int=0x1000 + self.count, version=4)


class _FixedClock(datetime):
    ticks = 0

    @classmethod
    def now(cls, tz=None):
        cls.ticks += 1
        return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(milliseconds=cls.ticks)


M.uuid4 = _Uuids()
M.datetime = _FixedClock


def reset_defaults() -> None:
    M.uuid4.count = 0
    _FixedClock.ticks = 0


class Recorder:
    def __init__(self, engine):
        self.statements = None
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if self.statements is None:
            return
        # An executemany gets a list of parameter tuples; insertmanyvalues (one multi-row
        # INSERT, flagged executemany) gets one flat tuple.
        if isinstance(parameters, dict):
            params = parameters
        elif parameters and isinstance(parameters[0], dict):
            params = list(parameters)
        elif parameters and isinstance(parameters[0], list | tuple):
            params = [list(p) for p in parameters]
        else:
            params = list(parameters)
        self.statements.append(
            {"sql": statement, "params": jsonable(params), "executemany": executemany}
        )


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


SERVER = None  # the PostgreSQL socket directory, from the command line


def fresh():
    admin = create_engine(
        f"postgresql+psycopg2://postgres@/postgres?host={SERVER}", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS orm_fixture WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE orm_fixture"))
    admin.dispose()
    engine = create_engine(f"postgresql+psycopg2://postgres@/orm_fixture?host={SERVER}")
    M.Base.metadata.create_all(engine)
    return engine, Recorder(engine)


def seed(engine):
    with Session(engine) as s:
        products = [M.Product(name=f"product {p}") for p in range(PRODUCTS)]
        s.add_all(products)
        tags = [M.Tag(label=f"tag {t}") for t in range(TAGS)]
        for p, product in enumerate(products):
            product.tags.extend([tags[p % TAGS], tags[(p + 1) % TAGS]])
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
    product.deleted_at = M.datetime.now(UTC)
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


# --- many-to-one loads: 30 orders, each order's user accessed ---


def load_orders(s, *options):
    orders = s.scalars(select(M.Order).options(*options)).unique().all()
    return sorted({o.user.email for o in orders})


@case("load_many_to_one_joined")
def _(s, recorder):
    assert len(load_orders(s, joinedload(M.Order.user))) == USERS


@case("load_many_to_one_selectin")
def _(s, recorder):
    assert len(load_orders(s, selectinload(M.Order.user))) == USERS


@case("load_many_to_one_lazy")
def _(s, recorder):
    # One SELECT per distinct user: a lazy many-to-one first looks in the identity map.
    assert len(load_orders(s, lazyload(M.Order.user))) == USERS


@case("load_subquery_ordered")
def _(s, recorder):
    users = s.scalars(
        select(M.User).order_by(M.User.email).options(subqueryload(M.User.orders))
    ).all()
    assert [len(u.orders) for u in users] == [ORDERS_PER_USER] * USERS


# --- more flushes ---


@case("flush_many_to_one_assign")
def _(s, recorder):
    first = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user0@example.com")
    ).one()
    other = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user1@example.com")
    ).one()
    order = s.scalars(
        select(M.Order).options(lazyload(M.Order.items)).where(M.Order.user_id == first.id).limit(1)
    ).one()
    recorder.statements.clear()  # finding the rows is setup, not the case
    order.user = other
    s.commit()


@case("flush_delete_child")
def _(s, recorder):
    order = s.scalars(select(M.Order).options(lazyload(M.Order.items)).limit(1)).one()
    recorder.statements.clear()
    s.delete(order)
    s.commit()


@case("flush_self_referential")
def _(s, recorder):
    root = M.Category(name="root")
    child = M.Category(name="child")
    child.parent = root
    s.add_all([root, child])
    s.commit()


# --- many-to-many through secondary=: 4 products with 2 of 3 tags each ---


def product_named(s, name):
    return s.scalars(select(M.Product).where(M.Product.name == name)).one()


def tag_labelled(s, label):
    return s.scalars(select(M.Tag).where(M.Tag.label == label)).one()


@case("load_many_to_many_selectin")
def _(s, recorder):
    products = s.scalars(select(M.Product).options(selectinload(M.Product.tags))).all()
    assert sum(len(p.tags) for p in products) == 2 * PRODUCTS


@case("load_many_to_many_lazy")
def _(s, recorder):
    products = s.scalars(select(M.Product).options(lazyload(M.Product.tags))).all()
    assert sum(len(p.tags) for p in products) == 2 * PRODUCTS


@case("flush_many_to_many_append")
def _(s, recorder):
    product = product_named(s, "product 0")
    tag = tag_labelled(s, "tag 2")
    product.tags  # loaded before the case: the append itself needs no SELECT
    recorder.statements.clear()
    product.tags.append(tag)
    s.commit()


@case("flush_many_to_many_remove")
def _(s, recorder):
    product = product_named(s, "product 1")
    tag = tag_labelled(s, "tag 1")
    product.tags
    recorder.statements.clear()
    product.tags.remove(tag)
    s.commit()


@case("flush_many_to_many_delete")
def _(s, recorder):
    # A product no order refers to (order_items' key to products is RESTRICT).
    spare = M.Product(name="spare")
    spare.tags.extend([tag_labelled(s, "tag 0"), tag_labelled(s, "tag 1")])
    s.add(spare)
    s.commit()
    s.expunge_all()
    product = product_named(s, "spare")
    recorder.statements.clear()
    # SQLAlchemy loads the tags to delete the association rows, then the product.
    s.delete(product)
    s.commit()


# --- one-to-one and self-referential loads ---


@case("flush_one_to_one")
def _(s, recorder):
    user = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user7@example.com")
    ).one()
    recorder.statements.clear()
    user.profile = M.Profile(bio="likes databases")
    s.commit()


@case("load_one_to_one_joined")
def _(s, recorder):
    for email in ["user0@example.com", "user1@example.com"]:
        user = s.scalars(select(M.User).where(M.User.email == email)).one()
        user.profile = M.Profile(bio=f"bio of {email}")
    s.commit()
    s.expunge_all()
    recorder.statements.clear()
    users = s.scalars(
        select(M.User).options(lazyload(M.User.orders), joinedload(M.User.profile))
    ).unique().all()
    assert sum(1 for u in users if u.profile is not None) == 2


def profiles_for_two_users(s):
    for email in ["user3@example.com", "user4@example.com"]:
        user = s.scalars(select(M.User).where(M.User.email == email)).one()
        user.profile = M.Profile(bio=f"bio of {email}")
    s.commit()
    s.expunge_all()


@case("load_raise_on_sql")
def _(s, recorder):
    # Profile.user is lazy='raise_on_sql': with the user not in the session, reading it
    # would need SQL, so it raises.
    profiles_for_two_users(s)
    recorder.statements.clear()
    profile = s.scalars(select(M.Profile).order_by(M.Profile.id)).first()
    try:
        profile.user
    except InvalidRequestError as error:
        return {"error": str(error)}
    raise AssertionError("raise_on_sql did not raise")


@case("load_raise_on_sql_from_identity_map")
def _(s, recorder):
    # The same with the users loaded first: the many-to-one comes from the identity
    # map, without SQL, so it does not raise.
    profiles_for_two_users(s)
    recorder.statements.clear()
    # (Held in a variable: the identity map keeps only objects something refers to.)
    users = s.scalars(select(M.User).options(lazyload(M.User.orders))).all()
    profiles = s.scalars(select(M.Profile).order_by(M.Profile.id)).all()
    assert sorted(p.user.email for p in profiles) == ["user3@example.com", "user4@example.com"]
    assert len(users) == USERS


@case("load_self_referential_selectin")
def _(s, recorder):
    root = M.Category(name="root")
    root.children = [M.Category(name="left"), M.Category(name="right")]
    s.add(root)
    s.commit()
    s.expunge_all()
    recorder.statements.clear()
    roots = s.scalars(
        select(M.Category)
        .where(M.Category.parent_id.is_(None))
        .options(selectinload(M.Category.children))
    ).all()
    assert [len(r.children) for r in roots] == [2]


@case("flush_passive_deletes")
def _(s, recorder):
    invoice = M.Invoice(number="INV-1")
    invoice.lines = [M.InvoiceLine(amount=a) for a in (10, 20, 30)]
    s.add(invoice)
    s.commit()
    s.expunge_all()
    invoice = s.scalars(select(M.Invoice)).one()
    recorder.statements.clear()
    # passive_deletes=True: the unloaded lines are not loaded; ON DELETE CASCADE
    # removes them inside the one DELETE.
    s.delete(invoice)
    s.commit()


@case("flush_update_two")
def _(s, recorder):
    # Two rows with the same changed columns: one executemany UPDATE.
    users = s.scalars(
        select(M.User)
        .options(lazyload(M.User.orders))
        .where(M.User.email.in_(["user5@example.com", "user6@example.com"]))
        .order_by(M.User.email)
    ).all()
    recorder.statements.clear()
    for user in users:
        user.email = user.email.replace("@", "+renamed@")
    s.commit()


@case("flush_self_referential_levels")
def _(s, recorder):
    # Two roots and two children of one of them: one batch per level, each batch one
    # multi-row INSERT whose generated keys come back by RETURNING.
    root = M.Category(name="root")
    s.add_all(
        [
            M.Category(name="first child", parent=root),
            M.Category(name="other root"),
            root,
            M.Category(name="second child", parent=root),
        ]
    )
    s.commit()



# --- self-referential and one-to-one loads with the other strategies ---


def category_tree(s):
    root = M.Category(name="root")
    root.children = [M.Category(name="left"), M.Category(name="right")]
    s.add_all([root, M.Category(name="lonely root")])
    s.commit()
    s.expunge_all()


def roots_with(s, option):
    return s.scalars(
        select(M.Category)
        .where(M.Category.parent_id.is_(None))
        .order_by(M.Category.id)
        .options(option)
    ).unique().all()


@case("load_self_referential_joined")
def _(s, recorder):
    category_tree(s)
    recorder.statements.clear()
    roots = roots_with(s, joinedload(M.Category.children))
    assert [len(r.children) for r in roots] == [2, 0]


@case("load_self_referential_subquery")
def _(s, recorder):
    category_tree(s)
    recorder.statements.clear()
    roots = roots_with(s, subqueryload(M.Category.children))
    assert [len(r.children) for r in roots] == [2, 0]


@case("load_self_referential_many_to_one_joined")
def _(s, recorder):
    category_tree(s)
    recorder.statements.clear()
    children = s.scalars(
        select(M.Category)
        .where(M.Category.parent_id.is_not(None))
        .order_by(M.Category.id)
        .options(joinedload(M.Category.parent))
    ).all()
    assert [c.parent.name for c in children] == ["root", "root"]


@case("load_one_to_one_selectin")
def _(s, recorder):
    profiles_for_two_users(s)
    recorder.statements.clear()
    users = s.scalars(
        select(M.User).options(lazyload(M.User.orders), selectinload(M.User.profile))
    ).all()
    assert sum(1 for u in users if u.profile is not None) == 2


@case("load_one_to_one_lazy")
def _(s, recorder):
    profiles_for_two_users(s)
    recorder.statements.clear()
    user = s.scalars(
        select(M.User).options(lazyload(M.User.orders)).where(M.User.email == "user3@example.com")
    ).one()
    assert user.profile.bio == "bio of user3@example.com"


@case("load_many_to_many_joined")
def _(s, recorder):
    products = s.scalars(select(M.Product).options(joinedload(M.Product.tags))).unique().all()
    assert sum(len(p.tags) for p in products) == 2 * PRODUCTS


@case("load_many_to_many_subquery")
def _(s, recorder):
    products = s.scalars(select(M.Product).options(subqueryload(M.Product.tags))).all()
    assert sum(len(p.tags) for p in products) == 2 * PRODUCTS


# --- cascades without delete: children are kept, their key set to NULL ---


@case("flush_delete_default_cascade")
def _(s, recorder):
    # Category.children has the default cascade (save-update, merge): deleting the
    # parent loads its children and sets their parent_id to NULL; they stay.
    category_tree(s)
    root = s.scalars(select(M.Category).where(M.Category.name == "root")).one()
    recorder.statements.clear()
    s.delete(root)
    s.commit()


@case("flush_remove_without_orphan")
def _(s, recorder):
    # Without delete-orphan, a child removed from the collection is kept: UPDATE to NULL.
    category_tree(s)
    root = s.scalars(select(M.Category).where(M.Category.name == "root")).one()
    left = next(c for c in root.children if c.name == "left")
    recorder.statements.clear()
    root.children.remove(left)
    s.commit()


def main() -> None:
    global SERVER
    if len(sys.argv) != 2:
        sys.exit("usage: sqlalchemy_statements.py <PostgreSQL socket directory>")
    SERVER = sys.argv[1]
    print(f"SQLAlchemy {sqlalchemy.__version__}: the ORM on PostgreSQL at {SERVER}")
    for name, fn in CASES.items():
        reset_defaults()
        engine, recorder = fresh()
        seed(engine)
        recorder.statements = []
        with Session(engine) as s:
            extra = fn(s, recorder) or {}
        fixture = {"case": name, "statements": recorder.statements, **extra}
        out = OUT / f"{name}.json"
        out.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
        engine.dispose()
    print(f"wrote {len(CASES)} ORM fixtures to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
