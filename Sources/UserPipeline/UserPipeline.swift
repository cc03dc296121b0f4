import Kafka
import CQL
