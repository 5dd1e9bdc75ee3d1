"""Site → the Site published now: scheduled articles (a `date` still ahead) and expired ones
(an `expires` passed) are left out, page and all, as Hugo does without --buildFuture and
--buildExpired. "Now" has one source, `now()`.

Which articles are published changes with time alone, while no file changes: `next_change`
is the first moment after now at which it will, which the build cache keeps so that a
no-op build on or after it builds again (a site with nothing scheduled or expiring has no
such moment, and its no-op check is as it was).

SOURCE_DATE_EPOCH is read here only (`source_date_epoch`), for every stage that asks.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import time
from collections.abc import Mapping

from sitegen.errors import ConfigError
from sitegen.model import Article, Site

log = logging.getLogger(__name__)


def source_date_epoch(environ: Mapping[str, str] = os.environ) -> int | None:
    """The whole seconds since 1970 (UTC) that SOURCE_DATE_EPOCH sets (reproducible-builds.org),
    or None when it is unset or empty. Any other value is a ConfigError naming it: a build
    that fell back to the clock would not be the reproducible one its user asked for."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        try:
            datetime.datetime.fromtimestamp(int(value), datetime.timezone.utc)
            return int(value)
        except (OverflowError, OSError, ValueError):
            pass
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise ConfigError(f"SOURCE_DATE_EPOCH={shown!r}: not a time; give whole seconds since 1970 "
                      f"(e.g. `date +%s`), or unset it to build for the clock's time")


def now() -> datetime.datetime:
    """The moment a build publishes for: SOURCE_DATE_EPOCH when set (the same inputs then
    give the same bytes whatever the day), else the clock. UTC."""
    epoch = source_date_epoch()
    return datetime.datetime.fromtimestamp(time.time() if epoch is None else epoch, datetime.timezone.utc)


def is_published(article: Article, at: datetime.datetime, *, future: bool = False) -> bool:
    """True when `article` is out at moment `at`: its date is not ahead (or `future`), and it
    has not expired."""
    if not future and article.publish_at is not None and article.publish_at > at:
        return False
    return article.expires is None or article.expires > at


def published_site(site: Site, at: datetime.datetime, *, future: bool = False) -> Site:
    """`site` without the articles not out at `at` (see `is_published`)."""
    kept = tuple(a for a in site.articles if is_published(a, at, future=future))
    if len(kept) == len(site.articles):
        return site
    scheduled: list[datetime.datetime] = []
    expired = 0
    for a in site.articles:
        if not is_published(a, at, future=future):
            if a.expires is not None and a.expires <= at:
                expired += 1
                log.debug("%s: expired, left out", a.path)
            else:
                scheduled.append(a.publish_at)  # type: ignore[arg-type]
                log.debug("%s: scheduled for %s, left out", a.path, a.publish_at.isoformat())  # type: ignore[union-attr]
    # Said every time: an imported article whose time was written in local time can lie
    # hours ahead of UTC, and an editor must see why it is not on the site.
    parts = []
    if scheduled:
        parts.append(f"{len(scheduled):,} scheduled (the next at {min(scheduled):%Y-%m-%d %H:%M} UTC; "
                     "--future builds them)")
    if expired:
        parts.append(f"{expired:,} expired")
    log.info("left out: %s", ", ".join(parts))
    return dataclasses.replace(site, articles=kept, by_slug={a.slug: a for a in kept})


def next_change(site: Site, at: datetime.datetime, *, future: bool = False) -> float | None:
    """The first moment after `at` (seconds since the epoch) at which an article of `site`
    (all of them, published or not) is published or expires; None when there is none."""
    moments = [a.expires for a in site.articles if a.expires is not None and a.expires > at]
    if not future:
        moments += [a.publish_at for a in site.articles if a.publish_at is not None and a.publish_at > at]
    return min(moments).timestamp() if moments else None
