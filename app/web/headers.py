"""Security headers on every response: pages, static files, both APIs, errors."""
from __future__ import annotations

from flask import Flask

# The pages load scripts and styles from this site only: no inline script or style
# (bpmn-js draws through the CSSOM, which the policy allows; tests/e2e checks that the
# browser reports no violation). Diagrams come from fetch() on this site.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# A file a user or an analyst uploaded, served back: it may load nothing and run nothing,
# even when a browser opens it.
INERT_POLICY = "default-src 'none'; sandbox"
# A year: browsers then refuse plain HTTP to this host, even for a typed http:// address.
HSTS = "max-age=31536000"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def register(app: Flask, production: bool) -> None:
    """Add the headers after every request; HSTS only in production (served over HTTPS)."""
    headers = {**HEADERS, "Strict-Transport-Security": HSTS} if production else HEADERS

    every = list(headers.items())
    others = [(name, value) for name, value in every if name != "Content-Security-Policy"]

    @app.after_request
    def add_security_headers(response):
        # A response with a stricter policy of its own (a model-file download) keeps it;
        # no other response sets these headers, so one look suffices (this runs on every
        # response).
        own_policy = "Content-Security-Policy" in response.headers
        response.headers.extend(others if own_policy else every)
        return response


def inert(response):
    """Serve `response` (an uploaded file, a model) as data only; the other headers, nosniff
    among them, come with every response."""
    response.headers["Content-Security-Policy"] = INERT_POLICY
    return response
