"""The planner page: choose people and authorities, see the best slots with everyone's local time."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from comity.core.decorators import member_required
from comity.planner import selectors
from comity.planner.engine import HOLIDAY, OUTSIDE
from comity.planner.forms import PlannerForm


@require_GET
@member_required
def plan(request):
    wants_plan = request.GET.get("action") == "plan"
    form = PlannerForm(request.GET if request.GET else None, user=request.user)
    participants, rows, status = [], [], 200
    if wants_plan and form.is_bound:
        if form.is_valid() and form.plan_request is not None:
            participants, slots = selectors.slots_for(user=request.user, request=form.plan_request)
            zone = request.user.timezone or "UTC"
            for slot in slots:
                rows.append(
                    {
                        "slot": slot,
                        "link": selectors.event_create_link(slot=slot, zone_name=zone, request=form.plan_request),
                        "people": [
                            {
                                "participant": p,
                                "local": slot.local[p.key],
                                "status": slot.status_of(p.key),
                                "reason": slot.reasons.get(p.key, ""),
                            }
                            for p in participants
                        ],
                    }
                )
        else:
            status = 400
    return render(
        request,
        "planner/plan.html",
        {
            "form": form,
            "participants": participants,
            "rows": rows,
            "planned": wants_plan and status == 200,
            "OUTSIDE": OUTSIDE,
            "HOLIDAY": HOLIDAY,
        },
        status=status,
    )
