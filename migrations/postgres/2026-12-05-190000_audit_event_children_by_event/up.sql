-- `audit verify` checks the rows a child's access log is read from against the events, a range
-- of events at a time: it reads them in the events' order. Without this index each range was a
-- scan of the whole table (the key starts with the child). New rows append at its end.
CREATE INDEX audit_event_children_by_event ON audit_event_children (seq, child_id);
