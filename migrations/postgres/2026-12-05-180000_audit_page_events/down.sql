-- Events chained as pages since the migration lose their list of children, and with it their
-- place in the children's access logs; the chain breaks at the first of them.
CREATE INDEX audit_events_child ON audit_events (child_id, seq);
DROP TABLE audit_event_children;
ALTER TABLE audit_events DROP COLUMN child_ids;
