"""OpenAPI descriptions of Comity's authentication schemes (loaded by AccountsConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "comity.accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Personal API token created on the profile page: `Authorization: Bearer cmt_...`.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "comity.accounts.api.authentication.VerifiedSessionAuthentication"
    name = "sessionCookie"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "Browser session after two-factor sign-in (CSRF token needed for writes).",
        }
