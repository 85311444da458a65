from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.accounts.api.serializers import MeSerializer
from comity.core.api.permissions import IsMember, TokenScopePermission


class MeView(APIView):
    """The authenticated user, with roles and the scope of the token used."""

    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)
