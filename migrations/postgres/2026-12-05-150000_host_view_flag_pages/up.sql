-- Nothing on PostgreSQL: the host view's flag filters walk placements_open_host (the partial
-- index of the open placements in the view's order) and its heap tables need no change. The
-- SQLite migration of the same name makes SQLite's walk touch fewer pages.
SELECT 1;
