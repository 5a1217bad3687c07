ALTER TABLE children DROP COLUMN mother_child_dob;
ALTER TABLE children DROP COLUMN mother;
