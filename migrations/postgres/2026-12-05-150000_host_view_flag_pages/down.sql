-- Nothing to undo on PostgreSQL.
SELECT 1;
