"""Detect stages: pure functions and small classes over batches of messages. No database, file or network
access here, so the same code runs in the CLI, the web API and a distributed job."""
