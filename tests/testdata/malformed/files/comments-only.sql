/*!40101 SET NAMES binary*/;
-- nothing else
SET time_zone='+00:00';
