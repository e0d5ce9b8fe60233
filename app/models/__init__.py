"""SQLAlchemy tables; importing this module registers every table on `Base.metadata`."""
from .audit import AuditEntry
from .base import Base
from .calendar import CalendarDay, DeadlineNotice
from .decision_history import HistoricDecisionInstance
from .collaboration import Attachment, Comment, InstanceReader, Notification, OutboxMessage
from .documents import DocumentCounter, DocumentTemplate, OfficialDocument
from .filters import TaskFilter
from .external_task_log import ExternalTaskLogEntry
from .experts import ExpertDecline, ExpertDraw, ExpertDrawRequest, ExpertProfile
from .job_definitions import JobDefinitionState
from .job_log import JobLogEntry
from .history import HistoricActivity, HistoricTask, HistoryEvent
from .identity import Organization, User, UserGroup
from .migration import MigratedInstance, MigrationBatch
from .lifecycle import (
    AnnualReport, CenterStatusChange, ChangeRequest, EvaluationDetail, GovernanceRecord,
    Rectification,
)
from .modeling import ModelDraft
from .operation_annotation import OperationAnnotation
from .registry import (
    Center, CenterChange, CenterEvaluation, CenterStatus, ExpertPanel, ExpertReview, SiteVisit,
)
from .rounds import ApplicationRound, Publicity, PublicityObjection, RoundApplication
from .repository import (
    DecisionDefinition, Deployment, DeploymentResource, FormVersion, ProcessDefinition,
)
from .runtime import (
    ExternalTask, Incident, InstanceState, Job, JobType, MessageSubscription, ProcessInstance, Task,
    TaskCandidate,
)
from .variables import BinaryVariable, TaskLocalVariable
from .web import LoginThrottle, TaskDraft, UserSession
from . import user_changes  # noqa: F401  (PostgreSQL's triggers announcing user changes)

__all__ = [
    "AnnualReport", "ApplicationRound", "Publicity", "PublicityObjection", "CenterStatusChange", "ChangeRequest", "EvaluationDetail", "GovernanceRecord",
    "Rectification",
    "AuditEntry", "Attachment", "BinaryVariable", "Comment", "InstanceReader", "Notification", "OutboxMessage",
    "Base", "CalendarDay", "Center", "CenterChange", "CenterEvaluation", "CenterStatus", "DeadlineNotice", "DecisionDefinition",
    "DocumentCounter", "DocumentTemplate", "OfficialDocument",
    "Deployment", "ExternalTask", "ExternalTaskLogEntry",
    "DeploymentResource", "ExpertDecline", "ExpertDraw", "ExpertDrawRequest", "ExpertPanel", "ExpertProfile", "ExpertReview", "FormVersion", "HistoricActivity", "HistoricDecisionInstance", "TaskFilter",
    "HistoricTask", "HistoryEvent", "Incident", "InstanceState", "Job", "JobDefinitionState", "JobLogEntry", "JobType",
    "LoginThrottle", "MessageSubscription", "MigratedInstance", "MigrationBatch", "ModelDraft", "OperationAnnotation",
    "Organization",
    "ProcessDefinition",
    "ProcessInstance", "RoundApplication", "SiteVisit", "Task", "TaskCandidate", "TaskDraft", "TaskLocalVariable",
    "User", "UserGroup",
    "UserSession",
]
