class Node(Base):
    __tablename__ = "nodes"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    children: Mapped[list["Node"]] = relationship(back_populates="parent", cascade="all, delete-orphan")
    parent: Mapped["Node | None"] = relationship(back_populates="children", remote_side=[id])
