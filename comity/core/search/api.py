"""The REST side of the search limits: capped pagination and the answer to a search that ran out of time."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from comity.core.api.pagination import StandardPagination
from comity.core.search.limits import CappedPaginator

TIMEOUT_MESSAGE = gettext_lazy("The search took too long. Add words or filters to narrow it, and try again.")


class CappedPagination(StandardPagination):
    """`?page=N&page_size=M` over the first 1,000 results; the body adds `count_capped`."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.more,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = "Matches, counted up to 1,000."
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_capped": {
                "type": "boolean",
                "description": (
                    "More than `count` results match; only the first `count` (newest first) can be paged "
                    "through. Add words or filters to narrow the search. For a word in very many posts this comes "
                    "from the database's estimate (at least ten times `count`) rather than from counting."
                ),
                "example": False,
            },
            **{key: value for key, value in response["properties"].items() if key != "count"},
        }
        response["required"] = ["count", "count_capped", "results"]
        return response


class SearchTimedOut(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_timeout"
    default_detail = TIMEOUT_MESSAGE
