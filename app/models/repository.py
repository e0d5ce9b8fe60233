"""Deployed models: deployments, their files, versioned process and decision definitions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Deployment(Base):
    __tablename__ = "deployment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(64))

    resources: Mapped[list[DeploymentResource]] = relationship(
        back_populates="deployment", lazy="selectin", cascade="all, delete-orphan"
    )


class DeploymentResource(Base):
    """One uploaded file: a BPMN diagram, a DMN table, or a form (schema / UI hints)."""

    __tablename__ = "deployment_resource"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))

    deployment: Mapped[Deployment] = relationship(back_populates="resources")


class FormVersion(Base):
    """A form key's schema and UI hints as deployed; definitions pin the one they use."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_key", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    schema_json: Mapped[str] = mapped_column(Text)
    ui_json: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"))


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        Index("ix_process_definition_key_version", "key", "version"),
    )

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(200))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_name: Mapped[str] = mapped_column(String(300))
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary)
    spec_json: Mapped[str] = mapped_column(Text)
    forms_json: Mapped[str] = mapped_column(Text, default="{}")
    elements_json: Mapped[str] = mapped_column(Text, default="{}")
    content_hash: Mapped[str] = mapped_column(String(64))
    version_tag: Mapped[str | None] = mapped_column(String(100))
    has_timer_start: Mapped[bool] = mapped_column(default=False)
    starter_groups: Mapped[str] = mapped_column(String(500), default="")
    starter_users: Mapped[str] = mapped_column(String(500), default="")
    suspended: Mapped[bool] = mapped_column(default=False)


class DecisionDefinition(Base):
    """A decision table as deployed: a new version whenever its file's content changes."""

    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(200))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_name: Mapped[str] = mapped_column(String(300))
    dmn_xml: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
