"""Errors a use case raises; the web layer maps each to one HTTP status."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    error_type = "InvalidRequestException"
    # Camunda's error code (7.15+): 0 for every built-in error but a lost optimistic lock.
    code = 0

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class BadRequest(ServiceError):
    status = 400


class ValidationFailed(BadRequest):
    """Form data did not pass its schema; `errors` holds one Chinese message per field."""

    error_type = "FormValidationException"


class Unauthorized(ServiceError):
    status = 401
    error_type = "AuthenticationException"


class Forbidden(ServiceError):
    status = 403
    error_type = "AuthorizationException"


class NotFound(ServiceError):
    status = 404
    error_type = "NotFoundException"


class Conflict(ServiceError):
    status = 409
    error_type = "OptimisticLockingException"
    code = 1


class Suspended(Conflict):
    """A step on a suspended instance or its task (Camunda's SuspendedEntityInteractionException)."""

    error_type = "SuspendedEntityInteractionException"
    code = 0

    def __init__(self):
        super().__init__("流程实例已挂起，恢复后才能继续办理 / the process instance is suspended")
