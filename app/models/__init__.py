"""SQLAlchemy tables; importing this module registers every table on `Base.metadata`."""
from .base import Base
from .history import HistoricActivity, HistoricTask, HistoryEvent
from .identity import Organization, User, UserGroup
from .repository import Deployment, DeploymentResource, FormVersion, ProcessDefinition
from .runtime import (
    Incident, InstanceState, Job, JobType, MessageSubscription, ProcessInstance, Task,
    TaskCandidate,
)

__all__ = [
    "Base", "Deployment", "DeploymentResource", "FormVersion", "HistoricActivity",
    "HistoricTask", "HistoryEvent", "Incident", "InstanceState", "Job", "JobType",
    "MessageSubscription", "Organization", "ProcessDefinition", "ProcessInstance", "Task",
    "TaskCandidate", "User", "UserGroup",
]
