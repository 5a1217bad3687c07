-- SSDA903 MOTHER (is the child a mother) and MC_DOB (date of birth of her first child).
ALTER TABLE children ADD COLUMN mother BOOLEAN;
ALTER TABLE children ADD COLUMN mother_child_dob DATE;
