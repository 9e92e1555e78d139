CREATE TABLE t (
  id INT PRIMARY KEY,
  name VARCHAR(8) COLLATE utf8mb4_klingon_ci
);
