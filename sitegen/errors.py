"""The one exception tree. Every error a user can cause is a SitegenError whose str() is a
single line naming the file (and line or byte offset) and the stage, e.g.
``seeds/x.txt:14: import: read-also block is empty``."""

from __future__ import annotations

from pathlib import Path


MAX_MESSAGE = 300
"""Characters of a message kept in an error line: an error quoting its input (a YAML
problem, a value) must not print megabytes."""


class SitegenError(Exception):
    """Base of every error sitegen reports to the user (exit code 1)."""


class ConfigError(SitegenError):
    """config.toml is missing a value, has a wrong type, or does not parse."""


class SourceError(SitegenError):
    """A problem in one input file (seed or content file), located by line or byte offset."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        offset: int | None = None,
        stage: str = "",
    ) -> None:
        self.path = str(path)
        self.message = message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"
        self.line = line
        self.offset = offset
        self.stage = stage
        super().__init__(str(self))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled whole (a worker process of the load stage sends it back): the default
        # would call __init__ with the one line alone.
        return (_source_error, (self.path, self.message, self.line, self.offset, self.stage))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        elif self.offset is not None:
            where += f": byte {self.offset}"
        stage = f" {self.stage}:" if self.stage else ""
        return f"{where}:{stage} {self.message}"


def _source_error(path: str, message: str, line: int | None, offset: int | None, stage: str) -> SourceError:
    """A SourceError from its fields, as `SourceError.__reduce__` gives them."""
    return SourceError(path, message, line=line, offset=offset, stage=stage)


class LinkError(SitegenError):
    """A cross-reference problem that cannot be a warning (two articles wanting one URL)."""


class ThemeError(SitegenError):
    """A template is missing or fails to compile or render."""


class SearchError(SitegenError):
    """Pagefind failed to start or to index the site."""


class BuildError(SitegenError):
    """The build failed; carries every error collected so all are reported at once."""

    def __init__(self, errors: list[SitegenError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
