-- Nothing on SQLite: its planner reads the open placements in order from
-- placements_host_end_start (it treats `end_date IS NULL` as an equality), so the partial
-- index PostgreSQL needs for the host view (see the PostgreSQL migration) would only cost writes.
SELECT 1;
