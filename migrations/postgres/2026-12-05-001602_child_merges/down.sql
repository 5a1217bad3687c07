DROP TABLE child_merges;
DROP INDEX children_merged_into;
ALTER TABLE children DROP COLUMN merged_into;
