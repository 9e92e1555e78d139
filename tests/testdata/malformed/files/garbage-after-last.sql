INSERT INTO t VALUES (1,'a',1,'2020-01-01',1.50),(2,'b',2,'2020-01-02',2.50);
this is not SQL
