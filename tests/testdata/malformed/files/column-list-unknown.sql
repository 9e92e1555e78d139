INSERT INTO t (id,nope) VALUES (1,2);
