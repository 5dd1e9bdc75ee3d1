"""The one digest the build keys its memos and fingerprints by."""

from __future__ import annotations

import hashlib


def digest(*parts: bytes | str) -> str:
    """A short hex digest of `parts` (length-prefixed, so ('ab','c') ≠ ('a','bc'))."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        b = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()
