"""Use cases that wire sources, detect stages and the store (ingest, analyze, collect, …).

The CLI and the web app call these and never each other. One module per use case.
"""
