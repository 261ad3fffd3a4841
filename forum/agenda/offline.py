"""Offline use: the web app manifest and the service worker (served from the site root for its scope)."""
