"""The planner under /api/v1/planner/: the best slots for given participants, best first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.planner import selectors
from comity.planner.api.serializers import PlannerErrorSerializer, PlannerQuerySerializer, PlanSerializer


class PlannerView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="Propose meeting slots across time zones and holidays",
        description=(
            "The best slots (at most 20, none overlapping) in the next `days` days for the given authorities and "
            "members: first those inside everybody's office hours, then those that leave out the fewest; a slot "
            "on a participant's public holiday or closure only when no other exists. Each participant is in "
            "exactly one of inside_hours, outside_hours and on_holiday. A bad parameter answers 400 naming it "
            "(`participants` when none is given); an id the caller may not see is treated as unknown."
        ),
        parameters=[PlannerQuerySerializer],
        responses={
            200: PlanSerializer,
            400: OpenApiResponse(PlannerErrorSerializer, description="A bad parameter, named in `fields`."),
            401: OpenApiResponse(PlannerErrorSerializer, description="Not signed in."),
        },
    )
    def get(self, request):
        data = {
            "authorities": request.query_params.getlist("authorities"),
            "users": request.query_params.getlist("users"),
            "duration": request.query_params.get("duration"),
            "days": request.query_params.get("days"),
            "start": request.query_params.get("start"),
        }
        try:
            plan_request = selectors.parse_request(user=request.user, data=data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        _participants, slots = selectors.slots_for(user=request.user, request=plan_request)
        return Response({"slots": [slot.as_api() for slot in slots]})
