"""Write–audit–publish: the published marts analysts and BI read (SPEC §6)."""
