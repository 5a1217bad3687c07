-- Transfers of responsibility for a child to another LA (a care order transferred): who held the
-- child before and after, when and by whom. The history of responsibility, shown in the
-- child's timeline.
CREATE TABLE child_transfers (
    id TEXT PRIMARY KEY NOT NULL,
    child_id TEXT NOT NULL REFERENCES children (id),
    from_la TEXT NOT NULL,
    to_la TEXT NOT NULL REFERENCES authorities (code),
    transferred_at TIMESTAMP NOT NULL,
    transferred_by TEXT NOT NULL
);
CREATE INDEX child_transfers_child ON child_transfers (child_id, transferred_at);
