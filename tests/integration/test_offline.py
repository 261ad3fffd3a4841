"""Integration tests: what a phone needs to install the agenda and open it offline — the web app manifest,
its icons, the service worker's headers and build block, and the offline page."""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

from flask import Flask

from forum.agenda.offline import worker_build
from tests import factories


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk, right after the 8-byte signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def build_block(source: str) -> dict:
    match = re.search(r"/\* build \*/ (.*?) /\* end build \*/", source)
    assert match is not None
    return json.loads(match.group(1))


def test_manifest_describes_the_installed_agenda_app(app: Flask, client) -> None:
    with app.app_context():
        factories.published_agenda()

    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Kashkadarya Invest-2024"
    assert manifest["short_name"] == "Forum agenda"
    assert manifest["description"] == "Your meetings at Kashkadarya Invest-2024, also without a connection."
    assert manifest["start_url"] == "/my/agenda"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en"
    assert manifest["theme_color"] == "#0f4c5c"
    assert manifest["background_color"] == "#f6f4ef"
    assert [(icon["sizes"], icon["type"], icon["purpose"]) for icon in manifest["icons"]] == [
        ("192x192", "image/png", "any"),
        ("512x512", "image/png", "any"),
        ("512x512", "image/png", "maskable"),
    ]


def test_manifest_without_a_forum_uses_the_platform_name(client) -> None:
    manifest = client.get("/manifest.webmanifest").get_json(force=True)

    assert manifest["name"] == "Forum matchmaking"
    assert manifest["start_url"] == "/my/agenda"


def test_manifest_icons_load_at_their_declared_sizes(client) -> None:
    manifest = client.get("/manifest.webmanifest").get_json(force=True)

    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response.mimetype == "image/png"
        width, height = png_size(response.data)
        assert f"{width}x{height}" == icon["sizes"], icon["src"]
        response.close()


def test_every_page_links_the_manifest_and_the_apple_touch_icon(client) -> None:
    page = client.get("/login").get_data(as_text=True)

    assert '<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">' in page
    assert '<link rel="apple-touch-icon" href="/static/img/icons/apple-touch-icon.png">' in page
    assert '<script src="/static/js/sw-register.js" defer></script>' in page
    icon = client.get("/static/img/icons/apple-touch-icon.png")
    assert icon.status_code == 200
    assert png_size(icon.data) == (180, 180)
    icon.close()


def test_service_worker_is_served_from_the_root_and_never_kept_stale(client) -> None:
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    source = response.get_data(as_text=True)
    assert 'const PAGE_CACHE = "forum-agenda-pages";' in source


def test_service_worker_build_lists_assets_that_exist(client) -> None:
    build = build_block(client.get("/sw.js").get_data(as_text=True))

    assert re.fullmatch(r"[0-9a-f]{12}", build["version"])
    assert build["offline"] == "/offline?lang=en"
    assert build["offline_form"] == "/offline?form=1&lang=en"
    for needed in ("/static/css/forum.css", "/static/js/sw-register.js", "/static/js/offline-status.js",
                   "/static/img/logo.svg", "/static/img/icons/icon-192.png"):
        assert needed in build["assets"]
    assert "/static/js/sw.js" not in build["assets"]
    assert not [asset for asset in build["assets"] if "screenshots" in asset]
    for asset in build["assets"]:
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()


def test_service_worker_version_changes_with_a_static_file(app: Flask, tmp_path: Path) -> None:
    static = tmp_path / "static"
    for folder in ("css", "js", "img/icons"):
        shutil.copytree(Path(app.static_folder) / folder, static / folder)
    app.static_folder = str(static)

    before = worker_build(app)["version"]
    assert worker_build(app)["version"] == before  # computed once per process
    (static / "css" / "forum.css").write_text("body { color: black; }\n")
    app.extensions.pop("offline_worker_build")

    assert worker_build(app)["version"] != before


def test_offline_page_points_to_my_agenda(client) -> None:
    response = client.get("/offline")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>You are offline</h1>" in page
    assert '<a class="button" href="/my/agenda">Open My agenda</a>' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "Nothing was sent" not in page


def test_offline_page_for_a_form_says_nothing_was_sent(client) -> None:
    page = client.get("/offline?form=1").get_data(as_text=True)

    assert ("Nothing was sent: this needs a connection. Go back and send it again once you are online."
            in page)
    assert "Try again" not in page  # a retry would GET a URL that only takes posts
    assert '<a class="button" href="/my/agenda">Open My agenda</a>' in page


def test_offline_pages_are_saved_in_the_readers_language(client) -> None:
    """The worker fetches them without cookies: the language travels in their URL."""
    client.post("/language", data={"locale": "ru", "next": "/"})
    build = build_block(client.get("/sw.js").get_data(as_text=True))
    assert (build["offline"], build["offline_form"]) == ("/offline?lang=ru", "/offline?form=1&lang=ru")

    page = client.application.test_client().get(build["offline"]).get_data(as_text=True)  # no cookies
    assert '<html lang="ru">' in page and "You are offline" not in page
    english = client.application.test_client().get("/offline?lang=xx").get_data(as_text=True)
    assert '<html lang="en">' in english and "You are offline" in english
