"""Analysis over the store: studies, campaigns, the graph, discovery, alerts. Reads through the store
interface; never writes messages."""
