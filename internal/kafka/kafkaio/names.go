package kafkaio

import "github.com/lightstream-io/lightstream/schemas"

// MaxTopicNameLen is Kafka's limit on topic name length.
const MaxTopicNameLen = schemas.MaxTopicNameLen

// TopicName is schemas.TopicName: the escaping that makes any list of names
// a legal, distinct Kafka topic name (it belongs to the topics' format, so
// it lives with the formats).
func TopicName(parts ...string) string { return schemas.TopicName(parts...) }

// ValidTopicName reports whether name is a legal Kafka topic name.
func ValidTopicName(name string) bool { return schemas.ValidTopicName(name) }
