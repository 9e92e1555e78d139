INSERT INTO t VALUES (1,'abcdefghi',1,'2020-01-01',1.50);
