from rest_framework import serializers

from comity.accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso2", default=None, read_only=True)
    coordinated_countries = serializers.SlugRelatedField(many=True, read_only=True, slug_field="iso2")
    liaison_networks = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    token_scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "country",
            "role",
            "coordinated_countries",
            "liaison_networks",
            "preferred_language",
            "timezone",
            "languages_spoken",
            "token_scope",
        ]

    def get_token_scope(self, obj) -> str | None:
        token = getattr(self.context["request"], "auth", None)
        return getattr(token, "scope", None)
