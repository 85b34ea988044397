"""The domain's exception tree. Services raise these; the web layer maps each family to one HTTP
status in a single handler, and the CLI prints them. Every error carries a stable snake_case
`code` (clients and translations key on it) and a human message.

    DomainError
    ├── MalformedRequest       400  the request cannot be read at all (e.g. not JSON)
    ├── InvalidInput           422  the request is well-formed but breaks a rule
    ├── NotAuthenticated       401  missing, wrong, expired or reused credentials
    ├── Forbidden              403  authenticated, but not allowed
    ├── NotFound               404
    ├── Conflict               409  the current state does not allow it
    ├── RateLimited            429  too many attempts; `retry_after_s` says when to try again
    └── Overloaded             503  shed under load, never by hanging; `retry_after_s` likewise
"""

from __future__ import annotations


class DomainError(Exception):
    """`keep_changes=True` marks a refusal whose bookkeeping must persist (a wrong code counts
    an attempt; a reused refresh token revokes its session): the unit of work commits what the
    service recorded before the error, then lets the error through."""

    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        keep_changes: bool = False,
        details: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.keep_changes = keep_changes
        # Extra machine-readable fields for the error body (e.g. the eligibility reason).
        self.details = details or {}
        if code is not None:
            self.code = code


class MalformedRequest(DomainError):
    code = "malformed_request"


class InvalidInput(DomainError):
    code = "invalid_input"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retry_after_s: int = 60,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(message, code=code, keep_changes=keep_changes)
        self.retry_after_s = retry_after_s


class Overloaded(DomainError):
    """The service is too busy to take this request now (a bounded queue or a bounded wait for
    the write lock ran out). Nothing was changed; the client retries after `retry_after_s`."""

    code = "overloaded"

    def __init__(self, message: str, *, code: str | None = None, retry_after_s: int = 1) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s
