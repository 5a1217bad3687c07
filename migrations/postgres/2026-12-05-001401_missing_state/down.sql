DROP TABLE child_missing_state;
