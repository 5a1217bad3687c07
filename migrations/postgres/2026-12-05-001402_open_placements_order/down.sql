DROP INDEX placements_open_host;
