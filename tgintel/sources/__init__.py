"""Sources turn anything (Desktop exports, the live collector, the simulator, NDJSON) into model records,
streaming, in batches."""
