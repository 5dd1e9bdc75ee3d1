"""The incremental layer around the build's stages: what a build keeps for the next one, and
what a process keeps between builds (`WarmState`). The stages do not know it exists."""

from sitegen.incremental.warm import WarmState

__all__ = ["WarmState"]
