ALTER TABLE children DROP COLUMN uasc_ceased;
ALTER TABLE children DROP COLUMN uasc;
