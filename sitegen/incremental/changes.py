"""The check of a build that is told what changed: a process that watches the inputs (the
dev server) names the paths touched since its last build, and the build stats those instead
of every input and output file (about 57,000 stats at 10,000 articles).

What the check then takes for the inputs is the last build's record with each named path
stat-ed again, and for the output folder the last build's record as it is. Both are what a
full check would find, provided that every change to an input since the last build's check
is among the named paths (the caller's promise: its watcher ran throughout and lost no
event) and that nothing but this process's builds wrote the output folder since. The second
is checked as far as it can be without reading the folder: the build cache must be the one
this process's last build saved, its files untouched since (another build of the same folder
rewrites them), and the output folder the very tree that build left. Anything else, and
anything this check cannot vouch for (a folder created, moved or removed, a symbolic link),
gives None: the build checks every file, as `sitegen build` does.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from sitegen.config import Config
from sitegen.fsutil import Stat
from sitegen.incremental.store import BuildCache, input_roots, tree_id
from sitegen.incremental.warm import WarmState

log = logging.getLogger(__name__)


def record_output(config: Config, warm: WarmState) -> None:
    """Note in `warm` the output folder a build has just left (see `known_check`)."""
    folder = config.output_dir.resolve()
    tree = tree_id(folder)
    if tree is None:
        warm.output_trees.pop(folder, None)
    else:
        warm.output_trees[folder] = tree


def known_check(config: Config, store: BuildCache, changed: Iterable[Path],
                warm: WarmState) -> tuple[dict[str, Stat], dict[str, Stat]] | None:
    """(inputs, outputs) as `scan_inputs` and `store.scan_outputs` would give them, from the
    last build's record and the stats of the `changed` paths (resolved: the inputs' folders
    resolved, then the path within); None when the record cannot stand in for a full check
    (see the module docstring)."""
    folder = config.output_dir.resolve()
    tree = warm.output_trees.get(folder)
    if not store.from_warm or not store.state.outputs or tree is None or tree_id(folder) != tree:
        return None
    roots = [(name, root.resolve()) for name, root in input_roots(config).items()]
    inputs = dict(store.state.inputs)
    for path in changed:
        for name, root in roots:
            if not path.is_relative_to(root):
                continue
            if path == root:
                log.debug("%s: a watched folder changed: every file is checked", path)
                return None
            key = f"{name}:{path.relative_to(root).as_posix()}"
            try:
                st = os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                if any(k.startswith(key + "/") for k in inputs):  # a folder removed or renamed
                    log.debug("%s: a folder is gone: every file is checked", path)
                    return None
                inputs.pop(key, None)
                continue
            if not stat.S_ISREG(st.st_mode):  # a folder, a symbolic link, …
                log.debug("%s: not a plain file: every file is checked", path)
                return None
            inputs[key] = (st.st_mtime_ns, st.st_size)
    return inputs, store.assume_outputs(folder)
