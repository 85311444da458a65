"""The status transitions of a request: from which status, to which status, set by which side.

Everything not in the table is refused. The requesting side may only withdraw; the requested side moves the
request through receipt, acknowledgement, execution and refusal. A closed request (executed, refused, withdrawn)
never changes again.
"""

from __future__ import annotations

from comity.requests.models import Side, Status

S = Status
REQUESTED = Side.REQUESTED.value
REQUESTING = Side.REQUESTING.value

_WORKING = (S.RECEIVED, S.ACKNOWLEDGED, S.ADDITIONAL_INFORMATION_REQUESTED, S.IN_EXECUTION, S.PARTIALLY_EXECUTED)

TRANSITIONS: dict[str, dict[str, str]] = {
    S.SENT: {S.RECEIVED: REQUESTED, S.ACKNOWLEDGED: REQUESTED, S.REFUSED: REQUESTED, S.WITHDRAWN: REQUESTING},
    S.RECEIVED: {
        S.ACKNOWLEDGED: REQUESTED,
        S.ADDITIONAL_INFORMATION_REQUESTED: REQUESTED,
        S.IN_EXECUTION: REQUESTED,
        S.REFUSED: REQUESTED,
        S.WITHDRAWN: REQUESTING,
    },
    S.ACKNOWLEDGED: {
        S.ADDITIONAL_INFORMATION_REQUESTED: REQUESTED,
        S.IN_EXECUTION: REQUESTED,
        S.REFUSED: REQUESTED,
        S.WITHDRAWN: REQUESTING,
    },
    S.ADDITIONAL_INFORMATION_REQUESTED: {
        S.IN_EXECUTION: REQUESTED,
        S.REFUSED: REQUESTED,
        S.WITHDRAWN: REQUESTING,
    },
    S.IN_EXECUTION: {
        S.ADDITIONAL_INFORMATION_REQUESTED: REQUESTED,
        S.PARTIALLY_EXECUTED: REQUESTED,
        S.EXECUTED: REQUESTED,
        S.REFUSED: REQUESTED,
        S.WITHDRAWN: REQUESTING,
    },
    S.PARTIALLY_EXECUTED: {
        S.IN_EXECUTION: REQUESTED,
        S.EXECUTED: REQUESTED,
        S.REFUSED: REQUESTED,
        S.WITHDRAWN: REQUESTING,
    },
    S.EXECUTED: {},
    S.REFUSED: {},
    S.WITHDRAWN: {},
}
assert all(set(targets) <= set(S.values) for targets in TRANSITIONS.values())  # noqa: S101 - import-time table check
assert set(TRANSITIONS) == set(S.values)  # noqa: S101


def allowed(from_status: str, to_status: str) -> str | None:
    """The side that may make this transition, or None when nobody may."""
    return TRANSITIONS.get(from_status, {}).get(to_status)


def targets_for(from_status: str, sides: set[str]) -> list[str]:
    """The statuses these sides may set next, in the order of `Status`."""
    targets = TRANSITIONS.get(from_status, {})
    return [value for value in S.values if targets.get(value) in sides]
