"""Exceptions: an exception means the auditor could not do its job; a data problem is a Finding.

::

    AuditorError
      ConfigError           bad rubric or portal config; names the file and key path
      RegistryError         bad or duplicate check id, unknown check or renderer
      SourceError           the portal could not be read
        PortalUnavailable   unreachable, timed out, or answered with an HTTP error
        IncompatiblePortal  the payload is not the platform's API (HTML, wrong JSON shape)
      FetchError            one request failed after its retries (carries a kind)
"""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error the auditor raises on purpose."""


class ConfigError(AuditorError):
    """A rubric or portal configuration is invalid."""


class RegistryError(AuditorError):
    """A check or renderer could not be registered or found."""


class SourceError(AuditorError):
    """A portal's catalogue or metadata could not be read."""


class PortalUnavailable(SourceError):
    """The portal did not answer, or answered with an HTTP error."""


class IncompatiblePortal(SourceError):
    """The portal answered, but not with the API of the platform we expected."""


class FetchError(AuditorError):
    """A request failed after retries.

    ``kind`` is one of ``broken``, ``blocked``, ``timeout``, ``refused``; ``status`` is the
    last HTTP status when there was one.
    """

    def __init__(self, message: str, *, kind: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


#: How a resolver failure that may pass is worded (a temporary DNS failure is not a broken link).
TEMPORARY_DNS = "name lookup failed for now"
