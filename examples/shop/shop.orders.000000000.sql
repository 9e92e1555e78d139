/*!40101 SET NAMES binary*/;
INSERT INTO `orders` (`id`,`customer_id`,`status`,`amount`,`items`,`placed`,`note`) VALUES
(1001,1,'paid',19.99,'[{\"sku\": \"BOOK-1\", \"qty\": 1}]','2024-04-01 09:00:00.125',NULL),
(1002,2,'shipped',250.00,'[{\"sku\": \"LAPTOP\", \"qty\": 1}, {\"sku\": \"BAG\", \"qty\": 1}]','2024-04-02 10:15:00.000','gift wrap, please'),
(1003,4,'new',7.50,'[]','2024-04-03 11:30:45.999','first order\nsecond line'),
(1004,1,'returned',-19.99,'[{\"sku\": \"BOOK-1\", \"qty\": -1}]','2024-04-05 08:00:00.001',NULL);
