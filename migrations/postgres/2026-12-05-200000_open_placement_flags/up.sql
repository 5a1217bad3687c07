-- The host view's flag filters walk an area's open placements newest first until a page of
-- children has the flag. Until now each step of the walk read the placement's row and looked up
-- its child's stored missing state, so a page cost a lookup per open placement passed over: 387
-- for the largest area's return interviews overdue, and every open placement of the area (1,010)
-- for a rarer flag such as currently missing.
--
-- Each open placement now carries a copy of its child's stored state, written in the same
-- transaction as the state itself (`db::missing_state`), and the index the walk follows holds
-- the copy: a flag is checked in the index, and only a page's rows are read.
ALTER TABLE placements
    ADD COLUMN child_missing_since TIMESTAMP,
    ADD COLUMN child_third_latest_start TIMESTAMP,
    ADD COLUMN child_interview_pending_since TIMESTAMP;

UPDATE placements p
   SET child_missing_since = st.missing_since,
       child_third_latest_start = st.third_latest_start,
       child_interview_pending_since = st.interview_pending_since
  FROM child_missing_state st
 WHERE st.child_id = p.child_id AND p.end_date IS NULL;

DROP INDEX placements_open_host;
CREATE INDEX placements_open_host ON placements
    (host_area, start_date DESC, id, child_missing_since, child_third_latest_start, child_interview_pending_since)
    WHERE end_date IS NULL;
