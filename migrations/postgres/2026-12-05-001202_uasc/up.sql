-- SSDA903 UASC table: whether the child is an unaccompanied asylum-seeking child, and DUC, the
-- date that status ceased (on or before the 18th birthday, DfE rule 304).
ALTER TABLE children ADD COLUMN uasc BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE children ADD COLUMN uasc_ceased DATE;
