"""Site → the Site published now: scheduled articles (a `date` still ahead) and expired ones
(an `expires` passed) are left out, page and all, as Hugo does without --buildFuture and
--buildExpired. "Now" has one source, `now()`.

Which articles are published changes with time alone, while no file changes: `next_change`
is the first moment after now at which it will, which the build cache keeps so that a
no-op build on or after it builds again (a site with nothing scheduled or expiring has no
such moment, and its no-op check is as it was).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import time

from sitegen.model import Article, Site

log = logging.getLogger(__name__)


def now() -> datetime.datetime:
    """The moment a build publishes for: SOURCE_DATE_EPOCH when set (the same inputs then
    give the same bytes whatever the day), else the clock. UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.strip() else time.time()
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


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
