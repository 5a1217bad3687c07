-- What a child's missing flags follow from at any instant, kept by every write of its episodes
-- in the same transaction, so that views of many children read one row per child instead of
-- their episodes: the start of the earliest open episode (currently missing), the start of the
-- third most recent episode (repeat missing while it is within the window), and the earliest
-- return whose interview is neither recorded nor declined or not offered (overdue once its
-- 72 hours have passed, until it is recorded).
CREATE TABLE child_missing_state (
    child_id TEXT PRIMARY KEY NOT NULL REFERENCES children (id),
    missing_since TIMESTAMP,
    third_latest_start TIMESTAMP,
    interview_pending_since TIMESTAMP
);
INSERT INTO child_missing_state (child_id, missing_since, third_latest_start, interview_pending_since)
SELECT e.child_id,
       MIN(CASE WHEN e.ended_at IS NULL THEN e.started_at END),
       (SELECT t.started_at FROM missing_episodes t WHERE t.child_id = e.child_id
         ORDER BY t.started_at DESC LIMIT 1 OFFSET 2),
       MIN(CASE WHEN e.ended_at IS NOT NULL AND e.ri_completed_at IS NULL
                 AND (e.ri_outcome IS NULL OR e.ri_outcome NOT IN ('declined', 'not_offered'))
            THEN e.ended_at END)
  FROM missing_episodes e
 GROUP BY e.child_id;
