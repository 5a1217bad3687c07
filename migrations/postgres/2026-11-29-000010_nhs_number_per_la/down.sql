DROP INDEX children_nhs_number;
DROP INDEX children_la_nhs_number;
CREATE UNIQUE INDEX children_nhs_number ON children (nhs_number);
