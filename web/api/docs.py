"""A browsable page for the OpenAPI document: Swagger UI from the swagger-ui-bundle package, no CDN.

No inline script (the pages' CSP forbids it): the page loads the vendored
bundle and a small initialiser served from here.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory, url_for

bp = Blueprint("api_docs_page", __name__, url_prefix="/api/v1/docs")

ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png", "favicon-16x16.png"})

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>quytrinh — REST API v1</title>
<link rel="stylesheet" href="{css}"><link rel="icon" href="{icon}"></head>
<body><div id="swagger-ui"></div>
<script src="{bundle}"></script><script src="{preset}"></script><script src="{init}"></script>
</body></html>"""

INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: %r, dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
});
"""


def _assets_dir() -> str:
    import swagger_ui_bundle

    return swagger_ui_bundle.swagger_ui_path


@bp.get("")
@bp.get("/")
def page():
    """The Swagger UI page for /api/v1/openapi.json."""
    html = PAGE.format(css=url_for(".asset", name="swagger-ui.css"), icon=url_for(".asset", name="favicon-32x32.png"),
                       bundle=url_for(".asset", name="swagger-ui-bundle.js"),
                       preset=url_for(".asset", name="swagger-ui-standalone-preset.js"), init=url_for(".init"))
    return Response(html, mimetype="text/html")


@bp.get("/init.js")
def init():
    return Response(INIT % "/api/v1/openapi.json", mimetype="text/javascript")


@bp.get("/assets/<name>")
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(_assets_dir(), name, max_age=86400)
