DROP TABLE missing_episodes;
DROP TABLE quarterly_returns;
