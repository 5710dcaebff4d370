"""OpenAPI extensions: describe our token authentication so the schema documents it."""

from __future__ import annotations

import copy

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "smartsafe.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal API token, sent as "Authorization: Token <key>".',
        }


def with_string_params(filterset_class, *names):
    """A subclass of a shared FilterSet whose ``names`` filters are documented as strings.

    drf-spectacular cannot follow ``field_name="x__code"`` together with ``to_field_name="code"``;
    the shared filter itself is left untouched (its filters are copied, then annotated).
    """
    subclass = type(f"Api{filterset_class.__name__}", (filterset_class,), {"__module__": __name__})
    for name in names:
        subclass.base_filters[name] = extend_schema_field(OpenApiTypes.STR)(
            copy.deepcopy(filterset_class.base_filters[name])
        )
    return subclass
