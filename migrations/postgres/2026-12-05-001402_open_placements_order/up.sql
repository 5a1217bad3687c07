-- The host view's default page (newest placements first, then id) and its flag filters read
-- the area's open placements in this order and stop after a page: an index on the open rows
-- alone lets PostgreSQL follow it (it does not treat `end_date IS NULL` in a full index as an
-- equality, so with that index it sorts every open placement of the area first).
CREATE INDEX placements_open_host ON placements (host_area, start_date DESC, id) WHERE end_date IS NULL;
