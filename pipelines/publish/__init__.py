"""Write–audit–publish: the published marts analysts and BI read (docs/quality-gate.md)."""
