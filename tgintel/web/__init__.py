"""The analyst workspace (FastAPI + Jinja2 + htmx); every page has a JSON twin."""
