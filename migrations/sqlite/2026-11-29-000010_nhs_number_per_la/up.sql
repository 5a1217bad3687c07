-- An NHS number is unique among one LA's children. Across LAs the registry cannot refuse a
-- second record without telling an LA that a child it may not see exists; a registration with
-- the matching date of birth and family name finds the existing record instead, and every such
-- match, made or refused, is in that child's access log.
DROP INDEX children_nhs_number;
CREATE UNIQUE INDEX children_la_nhs_number ON children (responsible_la, nhs_number);
CREATE INDEX children_nhs_number ON children (nhs_number);
