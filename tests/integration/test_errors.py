"""Integration tests: the friendly error pages (404, 405, 413, 500) keep the site's frame and say what to do."""

from __future__ import annotations


def test_error_page_unknown_url_is_friendly_404(client):
    response = client.get("/companies/not-a-number")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body
    assert 'href="/companies/"' in body  # a way back into the site


def test_error_page_crash_shows_friendly_500_and_rolls_back(app, client):
    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/boom", view_func=boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body
    assert "a bug" not in body  # no internals leak to the visitor
    assert client.get("/").status_code == 200  # the next request is unaffected


def test_error_page_oversized_upload_is_friendly_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x@example.com", "password": "p" * 4096})
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_error_page_wrong_method_is_friendly_405(client):
    response = client.put("/signup")
    assert response.status_code == 405
    assert "This page cannot be used that way." in response.get_data(as_text=True)
