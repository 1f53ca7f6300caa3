-- Egypt's household income band (issue 15 point 2; domain programme/income_band.rs): declared instead
-- of, or beside, the household's monthly income.
ALTER TABLE households ADD COLUMN income_band TEXT CHECK (income_band IN ('under_1000', '1000_2399', '2400_4999', '5000_plus'));
