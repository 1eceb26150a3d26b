-- Runs after every successful migrate: refresh the query planner's statistics.
ANALYZE;
