"""The WSGI entry point of the web server (scripts/serve_web.sh)."""
from app import create_app

app = create_app()
