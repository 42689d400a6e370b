"""Document search (OpenSearch). For now: the index definition the bootstrap creates."""
