# Not from the reference: pins constraint order and naming (explicit __table_args__
# constraints, unique=True, index=True with unique=True, column-level foreign keys,
# Table() with typed and untyped Column, integer keys that are or are not SERIAL).
from sqlalchemy import (
    CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = 'accounts'

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    region: Mapped[str] = mapped_column(String(2), index=True)
    referrer_id: Mapped[int | None] = mapped_column(
        ForeignKey('accounts.id', ondelete='SET NULL', onupdate='CASCADE'), unique=True
    )
    balance: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint('region', 'handle', name='uq_accounts_region_handle'),
        CheckConstraint('balance >= 0', name='ck_balance_positive'),
        CheckConstraint("region <> ''"),
        UniqueConstraint('email', 'region'),
        Index('ix_accounts_lower', 'email', 'handle', unique=True),
    )


class Post(Base):
    __tablename__ = 'posts'

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(ForeignKey('accounts.id'))
    title: Mapped[str] = mapped_column(String(200), nullable=False)

    account: Mapped['Account'] = relationship()


tags = Table(
    'tags',
    Base.metadata,
    Column('id', Integer, primary_key=True),
    Column('label', String(40), nullable=False, unique=True),
    Column('post_id', ForeignKey('posts.id'), index=True),
    Column('note', String),
)


class Counter(Base):
    __tablename__ = 'counters'

    account_id: Mapped[int] = mapped_column(ForeignKey('accounts.id'), primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True)
