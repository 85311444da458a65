from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


def _positive_int(raw: str) -> int | None:
    """`raw` as a whole number of 1 or more written in ASCII digits, else None ("²" and "٣" are not page numbers)."""
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if value >= 1 else None


class StandardPagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200); the body has count, next, previous and results.

    A page that is not a whole number from 1 to the last page, or a page size that is not a whole number of 1 or
    more, is a 400 naming the parameter (DRF answers a bad page with 404 and ignores a bad page size). A page size
    above 200 is served as 200.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        raw_size = request.query_params.get(self.page_size_query_param)
        if raw_size is not None and _positive_int(raw_size) is None:
            raise ValidationError({self.page_size_query_param: ["A page size is a whole number of 1 or more."]})
        raw_page = request.query_params.get(self.page_query_param)
        if raw_page is not None and raw_page not in self.last_page_strings and _positive_int(raw_page) is None:
            raise ValidationError({self.page_query_param: ["A page is a whole number of 1 or more."]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [str(exc.detail)]}) from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page, 1 to {self.max_page_size} (default {self.page_size})."
        return parameters


def paginated(serializer_class, *, name: str | None = None):
    """The schema of a page of `serializer_class` items, for views that paginate by hand with StandardPagination."""
    item = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        name=name or f"Paginated{item}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
