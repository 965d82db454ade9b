"""Ways out: reports, STIX 2.1, MISP, CSV/Parquet tables, GEXF, evidence bundles."""
