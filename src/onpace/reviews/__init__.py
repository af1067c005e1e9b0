"""KPI reviews: the append-only record of each review and the schedule of the next ones."""
