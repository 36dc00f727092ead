"""The poll plan: one APScheduler job per enabled feed, whose next run time is when that feed is next polled.

The jobs are the only record of the plan; nothing else keeps a copy. APScheduler 3.x keeps the jobs of a
scheduler that is not started as pending jobs, with the run times given here, so the same plan serves a
started scheduler and one stepped by hand in tests.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

_PREFIX = "feed-"


class FeedJobs:
    """The feed jobs of one APScheduler scheduler.

    Args:
        aps: the scheduler that holds the jobs (started or not).
        on_due: called with the feed id, on an APScheduler thread, when a job runs.
        misfire_grace_seconds: a run this late is skipped by APScheduler (the caller catches up instead).
        jitter_seconds: APScheduler adds up to this much at random to each run its trigger computes.

    Run times are on the caller's clock, which in the app is the wall clock APScheduler runs on.
    """

    def __init__(
        self,
        aps: BaseScheduler,
        on_due: Callable[[int], None],
        *,
        misfire_grace_seconds: int,
        jitter_seconds: float,
    ) -> None:
        self._aps = aps
        self._on_due = on_due
        self._grace = misfire_grace_seconds
        self._jitter = jitter_seconds

    def next_run(self, feed_id: int) -> datetime | None:
        """When the feed's job runs next, or None when the feed has no job."""
        job = self._job(feed_id)
        return None if job is None else job.next_run_time

    def interval(self, feed_id: int) -> timedelta | None:
        """The interval of the feed's job, or None when the feed has no job."""
        job = self._job(feed_id)
        return None if job is None else job.trigger.interval

    def feed_ids(self) -> list[int]:
        """The feeds that have a job, in id order."""
        return sorted(int(job.id.removeprefix(_PREFIX)) for job in self._jobs())

    def due_by(self, moment: datetime) -> set[int]:
        """The feeds whose job runs at or before `moment`."""
        return {
            int(job.id.removeprefix(_PREFIX))
            for job in self._jobs()
            if job.next_run_time is not None and job.next_run_time <= moment
        }

    def arm(self, feed_id: int, interval: timedelta, when: datetime) -> None:
        """Run the feed's job at `when`, then every `interval` until armed again."""
        job_id = _PREFIX + str(feed_id)
        if self._job(feed_id) is None:
            self._aps.add_job(
                self._on_due,
                self._trigger(interval),
                args=[feed_id],
                id=job_id,
                name=f"poll feed {feed_id}",
                next_run_time=when,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=self._grace,
            )
        elif self.interval(feed_id) != interval:
            # modify_job, not reschedule_job: the latter computes the next run from APScheduler's own clock.
            self._aps.modify_job(job_id, trigger=self._trigger(interval), next_run_time=when)
        else:
            self._aps.modify_job(job_id, next_run_time=when)
        log.debug("feed %s armed for %s", feed_id, when.isoformat(timespec="seconds"))

    def drop(self, feed_id: int) -> None:
        """Remove the feed's job (a disabled or removed feed)."""
        with contextlib.suppress(JobLookupError):
            self._aps.remove_job(_PREFIX + str(feed_id))
            log.debug("feed %s has no job any more", feed_id)

    def _trigger(self, interval: timedelta) -> IntervalTrigger:
        return IntervalTrigger(seconds=interval.total_seconds(), jitter=self._jitter or None, timezone=UTC)

    def _job(self, feed_id: int) -> Job | None:
        return self._aps.get_job(_PREFIX + str(feed_id))

    def _jobs(self) -> list[Job]:
        return [job for job in self._aps.get_jobs() if job.id.startswith(_PREFIX)]
