"""Web UI, JSON API and Atom feeds over the store (FastAPI, Jinja2, no build step)."""

from monitor.web.app import create_app, serve

__all__ = ["create_app", "serve"]
