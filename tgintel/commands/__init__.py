"""One module per capability, each with ``register(app)`` adding its commands to the Typer app."""
