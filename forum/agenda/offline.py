"""Offline use: the web app manifest, the service worker (served from the site root for its scope) and the
page the service worker shows for a page it has no copy of.

The service worker's source is ``static/js/sw.js``. This module serves it at ``/sw.js`` (a worker's scope
cannot be wider than the folder it is served from) and fills in its build block: a version derived from
the static files, so that every change to a stylesheet or script installs a new worker that drops the
old asset cache, and the list of assets to keep for offline use.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from forum.agenda import bp
from forum.i18n import offered
from forum.services.forums import forum_for_request

THEME_COLOR = "#0f4c5c"  # --brand in static/css/forum.css
BACKGROUND_COLOR = "#f6f4ef"  # --paper in static/css/forum.css
# Folders under static/ whose files the worker keeps for offline use (screenshots are for the README).
OFFLINE_ASSET_DIRS = ("css", "js", "img/icons")
OFFLINE_ASSET_FILES = ("img/logo.svg", "img/favicon.svg")
# The offline page is saved with the assets: a change to it must also make a new worker.
OFFLINE_PAGE_TEMPLATES = ("base.html", "agenda/offline.html")
ICONS = (
    # (file under static/img/icons, size, purpose)
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("icon-maskable-512.png", 512, "maskable"),
)
_BUILD_BLOCK = re.compile(r"/\* build \*/.*?/\* end build \*/", re.DOTALL)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    forum = forum_for_request()
    body = json.dumps(manifest_data(forum.name if forum else None), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/manifest+json")
    # The name follows the forum's settings and the reader's language: revalidate rather than keep it.
    response.headers["Cache-Control"] = "no-cache"
    return response


def manifest_data(forum_name: str | None) -> dict[str, Any]:
    """The manifest's fields: installed from any page, the app opens on "My agenda"."""
    name = forum_name or _("Forum matchmaking")
    return {
        "id": "/my/agenda",
        "name": name,
        # Home screens cut labels after about 12 characters; the forum's name is longer.
        "short_name": _("Forum agenda"),
        "description": _("Your meetings at %(forum)s, also without a connection.", forum=name),
        "lang": str(get_locale()),
        "dir": "ltr",
        "start_url": "/my/agenda",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["business", "productivity"],
        "icons": [
            {
                "src": url_for("static", filename=f"img/icons/{filename}"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for filename, size, purpose in ICONS
        ],
    }


@bp.get("/sw.js")
def service_worker() -> Response:
    source = (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
    # The worker saves the offline pages without cookies (they must not name whoever was logged in), so
    # their URLs carry the reader's language; a new language makes a new worker, which saves them again.
    code = str(get_locale())
    build = {**worker_build(current_app), "offline": f"/offline?lang={code}",
             "offline_form": f"/offline?form=1&lang={code}"}
    block = "/* build */ " + json.dumps(build) + " /* end build */"
    response = Response(_BUILD_BLOCK.sub(lambda _match: block, source, count=1),
                        mimetype="application/javascript")
    # The browser checks for a new worker on every visit: it must never get a stale copy.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def worker_build(app: Flask) -> dict[str, Any]:
    """The worker's version (a hash of the assets and the offline page's templates) and the static
    assets it keeps, computed once per process (per request in debug mode, where files change under a
    running server)."""
    cached = app.extensions.get("offline_worker_build")
    if cached is not None and not app.debug:
        return cached
    static = Path(app.static_folder)
    files = sorted(
        {path for folder in OFFLINE_ASSET_DIRS for path in (static / folder).rglob("*") if path.is_file()}
        | {static / name for name in OFFLINE_ASSET_FILES if (static / name).is_file()}
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(static).as_posix().encode())
        digest.update(path.read_bytes())
    templates = Path(app.root_path, app.template_folder)  # template_folder is absolute here
    for name in OFFLINE_PAGE_TEMPLATES:
        digest.update(name.encode())
        digest.update((templates / name).read_bytes())
    # The worker's own source is not an asset: it is fetched from /sw.js, never from /static/.
    assets = [f"{app.static_url_path}/{path.relative_to(static).as_posix()}" for path in files
              if not path.name.startswith(".") and path.name != "sw.js"]
    build = {"version": digest.hexdigest()[:12], "assets": assets, "offline": "/offline",
             "offline_form": "/offline?form=1"}
    app.extensions["offline_worker_build"] = build
    return build


@bp.get("/offline")
def offline_page() -> str:
    """What the service worker shows for a page it has no copy of while there is no connection, and
    (``?form=1``) for a form sent without one: a check-in or feedback that did not reach the server."""
    code = request.args.get("lang")
    with force_locale(offered(code) or str(get_locale())):
        return render_template("agenda/offline.html", form=request.args.get("form") == "1")
