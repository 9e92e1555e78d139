/*!40101 SET NAMES binary*/;
CREATE TABLE `orders` (
  `id` bigint unsigned NOT NULL,
  `customer_id` int NOT NULL,
  `status` enum('new','paid','shipped','returned') NOT NULL DEFAULT 'new',
  `amount` decimal(10,2) NOT NULL,
  `items` json NOT NULL,
  `item_count` int GENERATED ALWAYS AS (json_length(`items`)) STORED,
  `first_sku` varchar(32) GENERATED ALWAYS AS (json_unquote(json_extract(`items`,'$[0].sku'))) VIRTUAL,
  `placed` datetime(3) NOT NULL,
  `note` text,
  PRIMARY KEY (`id`),
  KEY `idx_customer` (`customer_id`,`placed`),
  KEY `idx_first_sku` (`first_sku`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
