"""Celery tasks of matching: thin wrappers around `matching.services`, taking ids.

Queued by name after commit (`bridges.tasks.enqueue`), so candidates and employers
never import this module. Acknowledged late and given back if the worker dies
(global settings); every run is idempotent, so a redelivered task does no harm.
"""

from bridges.celery import database_task
from matching import allocation_service, blocks, notifications, services
from matching.models import MatchRun


@database_task(name="matching.rescore_candidate")
def rescore_candidate(candidate_id: int) -> int:
    """Rescore one candidate; returns the id of the match run."""
    return services.rescore_candidate(candidate_id=int(candidate_id)).pk


@database_task(name="matching.rescore_position")
def rescore_position(position_id: int) -> int:
    """Rescore one position; returns the id of the match run."""
    return services.rescore_position(position_id=int(position_id)).pk


@database_task(name="matching.rescore_all", bind=True)
def rescore_all(self, trigger: str = MatchRun.Trigger.FULL) -> int:
    """Rescore everything (nightly, after a configuration change, or on request); a large run
    queues its blocks (`matching.score_block`) on the queue this task came from. Then the stored
    suggested allocations are computed again over the new matches (queued, another task)."""
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    run = services.rescore_all(trigger=MatchRun.Trigger(trigger), queue=queue)
    allocation_service.refresh_after_rescore()
    return run.pk


@database_task(name="matching.score_block")
def score_block(token: str, index: int) -> bool:
    """Score one block of candidates of a distributed full run (`matching.blocks`)."""
    return blocks.score_block(str(token), int(index))


@database_task(name=allocation_service.ALLOCATE_TASK)
def allocate(run_id: int) -> int | None:
    """Compute a suggested allocation run (queued by the allocation page or after a full rescore)."""
    run = allocation_service.run_allocation(int(run_id))
    return run.pk if run else None


@database_task(name="matching.sweep")
def sweep() -> list[int]:
    """Rescore whatever is still marked (scheduled every minute by beat)."""
    return [run.pk for run in services.sweep()]


@database_task(name="matching.prune_runs")
def prune_runs() -> int:
    """Delete the records of old match runs (scheduled daily by beat); returns how many."""
    return services.prune_runs()


@database_task(name="matching.interview_reminders")
def interview_reminders() -> int:
    """Remind of confirmed interviews in the next 24 hours (beat); returns how many interviews."""
    return notifications.interview_reminders_send()


@database_task(name="matching.next_step_reminders")
def next_step_reminders() -> int:
    """Remind case workers of next steps due or overdue (beat); returns how many introductions."""
    return notifications.next_step_reminders_send()


@database_task(name="matching.follow_up_reminders")
def follow_up_reminders() -> int:
    """Remind case workers of follow-ups due (beat); returns how many follow-ups."""
    return notifications.follow_up_reminders_send()


@database_task(name="matching.digest")
def digest() -> int:
    """The daily digest of new strong matches for each case worker (beat); returns how many were written."""
    return notifications.digests_send()
