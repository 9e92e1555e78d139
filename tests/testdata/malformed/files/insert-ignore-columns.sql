INSERT IGNORE INTO t (x,d,n,name,id) VALUES (1.50,'2020-01-01',1,'a',1);
