/*!40101 SET NAMES binary*/;
CREATE TABLE `products` (
  `sku` varchar(32) NOT NULL,
  `title` varchar(200) NOT NULL,
  `price` decimal(10,2) NOT NULL,
  `weight_kg` float DEFAULT NULL,
  `tags` set('book','electronics','bag','sale') DEFAULT NULL,
  `released` date DEFAULT NULL,
  PRIMARY KEY (`sku`) /*T![clustered_index] CLUSTERED */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
