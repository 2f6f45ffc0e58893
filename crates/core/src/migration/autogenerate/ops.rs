//! Alembic's operations as autogenerate produces them, each with the side its objects
//! come from, since Alembic renders the two sides differently.

use crate::model::ir::{Column, ForeignKey, Index, SqlType, Table};

/// Where an object of an operation comes from: the edited models (Alembic's metadata) or
/// the database the original models built (Alembic reflects it: `sa.VARCHAR(length=50)`
/// rather than `sa.String(length=50)`, PostgreSQL's own constraint names, defaults as
/// PostgreSQL stores them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Model,
    Database,
}

/// A unique constraint: its name (`None`: unnamed in the models) and columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// Named by a naming convention (or reflected): rendered `op.f('...')`.
    pub conventional: bool,
}

/// A server default and how it was written (Alembic renders a plain string as a
/// string, anything else as `sa.text(...)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerDefault {
    /// The SQL after DEFAULT.
    pub sql: String,
    pub plain_string: bool,
}

/// `op.alter_column`: the `modify_*` values it changes and the `existing_*` ones it
/// states.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterColumn {
    pub table: String,
    pub column: String,
    pub existing_type: (SqlType, Side),
    pub modify_type: Option<(SqlType, Side)>,
    pub existing_nullable: bool,
    pub modify_nullable: Option<bool>,
    pub existing_server_default: Option<ServerDefault>,
    /// `Some(None)`: the default is removed.
    pub modify_server_default: Option<Option<ServerDefault>>,
    pub existing_comment: Option<String>,
    /// `Some(None)`: the comment is removed.
    pub modify_comment: Option<Option<String>>,
    /// The table's SERIAL column: Alembic adds `autoincrement=True`.
    pub autoincrement: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    CreateTable {
        table: Table,
        side: Side,
    },
    DropTable {
        table: Table,
        side: Side,
    },
    AddColumn {
        table: String,
        column: Column,
        side: Side,
    },
    DropColumn {
        table: String,
        column: Column,
        side: Side,
    },
    AlterColumn(AlterColumn),
    CreateIndex {
        table: String,
        index: Index,
        side: Side,
        /// The name came from a naming convention (or the database): `op.f(...)`.
        conventional: bool,
    },
    DropIndex {
        table: String,
        index: Index,
        side: Side,
        conventional: bool,
    },
    AddUnique {
        table: String,
        unique: UniqueKey,
        side: Side,
    },
    DropUnique {
        table: String,
        unique: UniqueKey,
        side: Side,
    },
    AddForeignKey {
        table: String,
        fk: ForeignKey,
        side: Side,
        conventional: bool,
    },
    DropForeignKey {
        table: String,
        fk: ForeignKey,
        side: Side,
        conventional: bool,
    },
    /// `op.create_table_comment` (`comment: Some`) or `op.drop_table_comment` (`None`).
    TableComment {
        table: String,
        comment: Option<String>,
        existing: Option<String>,
    },
}

impl Op {
    /// The operation that undoes this one (Alembic's `reverse()`).
    pub fn reverse(&self) -> Op {
        match self.clone() {
            Op::CreateTable { table, side } => Op::DropTable { table, side },
            Op::DropTable { table, side } => Op::CreateTable { table, side },
            Op::AddColumn {
                table,
                column,
                side,
            } => Op::DropColumn {
                table,
                column,
                side,
            },
            Op::DropColumn {
                table,
                column,
                side,
            } => Op::AddColumn {
                table,
                column,
                side,
            },
            Op::AlterColumn(mut alter) => {
                if let Some(new) = alter.modify_type.take() {
                    alter.modify_type = Some(std::mem::replace(&mut alter.existing_type, new));
                }
                if let Some(new) = alter.modify_nullable.take() {
                    alter.modify_nullable =
                        Some(std::mem::replace(&mut alter.existing_nullable, new));
                }
                if let Some(new) = alter.modify_server_default.take() {
                    alter.modify_server_default =
                        Some(std::mem::replace(&mut alter.existing_server_default, new));
                }
                if let Some(new) = alter.modify_comment.take() {
                    alter.modify_comment =
                        Some(std::mem::replace(&mut alter.existing_comment, new));
                }
                Op::AlterColumn(alter)
            }
            Op::CreateIndex {
                table,
                index,
                side,
                conventional,
            } => Op::DropIndex {
                table,
                index,
                side,
                conventional,
            },
            Op::DropIndex {
                table,
                index,
                side,
                conventional,
            } => Op::CreateIndex {
                table,
                index,
                side,
                conventional,
            },
            Op::AddUnique {
                table,
                unique,
                side,
            } => Op::DropUnique {
                table,
                unique,
                side,
            },
            Op::DropUnique {
                table,
                unique,
                side,
            } => Op::AddUnique {
                table,
                unique,
                side,
            },
            Op::AddForeignKey {
                table,
                fk,
                side,
                conventional,
            } => Op::DropForeignKey {
                table,
                fk,
                side,
                conventional,
            },
            Op::DropForeignKey {
                table,
                fk,
                side,
                conventional,
            } => Op::AddForeignKey {
                table,
                fk,
                side,
                conventional,
            },
            Op::TableComment {
                table,
                comment,
                existing,
            } => Op::TableComment {
                table,
                comment: existing,
                existing: comment,
            },
        }
    }

    /// The table the operation changes.
    pub fn table(&self) -> &str {
        match self {
            Op::CreateTable { table, .. } | Op::DropTable { table, .. } => &table.name,
            Op::AlterColumn(a) => &a.table,
            Op::AddColumn { table, .. }
            | Op::DropColumn { table, .. }
            | Op::CreateIndex { table, .. }
            | Op::DropIndex { table, .. }
            | Op::AddUnique { table, .. }
            | Op::DropUnique { table, .. }
            | Op::AddForeignKey { table, .. }
            | Op::DropForeignKey { table, .. }
            | Op::TableComment { table, .. } => table,
        }
    }
}
