"""Landing sources: the contract, the strict reader and ingestion into raw tables."""
