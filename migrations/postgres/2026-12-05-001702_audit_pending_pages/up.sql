-- A read of a page of children waits to be chained as one row listing them (space-separated,
-- in the order shown), in place of one row each: the chainer appends one event per child, in
-- that order, exactly as before. A page of 50 was 50 rows written, read and deleted again.
ALTER TABLE audit_pending ADD COLUMN child_ids TEXT;
