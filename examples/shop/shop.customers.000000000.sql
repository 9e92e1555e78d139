/*!40101 SET NAMES binary*/;
/*!40103 SET TIME_ZONE='+00:00' */;
INSERT INTO `customers` VALUES
(1,'ada@example.com','Ada Lovelace','GB','2024-01-02 03:04:05'),
(2,'grace@example.com','Grace Hopper','US','2024-01-03 10:00:00'),
(3,'linus@example.com','Linus Torvalds','FI','2024-02-10 12:30:00'),
(4,'yukihiro@example.com','まつもと ゆきひろ','JP','2024-03-01 00:00:01'),
(5,'anon@example.com','O\'Brien \"the\" anonymous',NULL,'2024-03-04 05:06:07');
INSERT INTO `customers` (`id`,`email`,`name`) VALUES
(6,'late@example.com','Late Comer');
