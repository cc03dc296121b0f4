import KafkaProtocol
import NIOCore
import Retry

/// One round of fetching: a Fetch request per leader for every assigned partition at its
/// position; decodes the record batches, applies the isolation level, and says where each
/// partition continues.
struct FetchRound: Sendable {
    var records: [ConsumerRecord] = []
    var positions: [TopicPartition: Int64]
    /// Partitions whose position may be outside the log (OFFSET_OUT_OF_RANGE, or past the high watermark).
    var outOfRange: [TopicPartition] = []
    var needsMetadata = false
    /// A partition answered without records although its log goes past the position.
    var leftRecordsBehind = false
    /// Each answering partition's high watermark, for its lag.
    var highWatermarks: [TopicPartition: Int64] = [:]
    /// Partitions moved because their position was outside the log.
    var resets: [OffsetReset] = []

    static func fetch(cluster: KafkaCluster, positions: [TopicPartition: Int64], settings: ConsumerSettings, maxWait: Duration, rotation: Int) async throws -> FetchRound {
        var round = FetchRound(positions: positions)
        let metadata = try await cluster.currentMetadata()
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in positions.keys {
            if let leader = metadata.leader(topic: tp.topic, partition: tp.partition) {
                byLeader[leader.nodeID, default: []].append(tp)
            } else {
                round.needsMetadata = true
            }
        }
        let parts = try await withThrowingTaskGroup(of: FetchRound.self) { group in
            for (leader, partitions) in byLeader {
                group.addTask {
                    try await fetch(from: leader, partitions: partitions, cluster: cluster, positions: positions, settings: settings,
                                    maxWait: maxWait, rotation: rotation)
                }
            }
            var parts: [FetchRound] = []
            for try await part in group { parts.append(part) }
            return parts
        }
        for part in parts {
            round.records.append(contentsOf: part.records)
            round.outOfRange.append(contentsOf: part.outOfRange)
            round.needsMetadata = round.needsMetadata || part.needsMetadata
            round.leftRecordsBehind = round.leftRecordsBehind || part.leftRecordsBehind
            for (tp, position) in part.positions { round.positions[tp] = position }
            round.highWatermarks.merge(part.highWatermarks) { _, new in new }
        }
        if round.needsMetadata { await cluster.invalidateMetadata() }
        return round
    }

    /// A Fetch of `partitions` from their `positions`, in the order of round `rotation`; the
    /// broker holds it up to `maxWait` for records to arrive.
    static func request(for partitions: [TopicPartition], positions: [TopicPartition: Int64], settings: ConsumerSettings,
                        maxWait: Duration, rotation: Int) -> FetchRequest {
        let topics = FetchOrder.plan(partitions, round: rotation).map { topic, ids in
            FetchRequest.FetchTopic(topic: topic, partitions: ids.map {
                FetchRequest.FetchPartition(partition: $0, fetchOffset: positions[TopicPartition(topic: topic, partition: $0)]!,
                                            partitionMaxBytes: settings.partitionMaxBytes)
            })
        }
        return FetchRequest(maxWaitMs: maxWait.wholeMilliseconds(as: Int32.self), minBytes: settings.minBytes, maxBytes: settings.maxBytes,
                            isolationLevel: settings.isolation.rawValue, topics: topics)
    }

    private static func fetch(from leader: Int32, partitions: [TopicPartition], cluster: KafkaCluster, positions: [TopicPartition: Int64], settings: ConsumerSettings, maxWait: Duration, rotation: Int) async throws -> FetchRound {
        var round = FetchRound(positions: [:])
        let request = Self.request(for: partitions, positions: positions, settings: settings, maxWait: maxWait, rotation: rotation)
        let response: FetchResponse
        do {
            let connection = try await cluster.connection(to: leader)
            response = try await connection.send(request, timeout: cluster.configuration.requestTimeout + maxWait)
        } catch let error as KafkaError where error.isRetriable {
            round.needsMetadata = true
            return round
        }
        let sessionCode = KafkaErrorCode(rawValue: response.errorCode)
        if sessionCode != .none {
            if sessionCode.isRetriable { round.needsMetadata = true; return round }
            throw KafkaError.broker(code: sessionCode.rawValue, name: sessionCode.name, message: nil, context: "fetching from broker \(leader)", retriable: false)
        }
        let decoder = RecordBatchDecoder()
        for topic in response.responses {
            for partition in topic.partitions {
                let tp = TopicPartition(topic: topic.topic, partition: partition.partitionIndex)
                guard let position = positions[tp] else { continue }
                let code = KafkaErrorCode(rawValue: partition.errorCode)
                switch code {
                case .none:
                    break
                case .offsetOutOfRange:
                    round.outOfRange.append(tp)
                    continue
                default:
                    if code.isRetriable || MetadataRefreshPolicy.invalidatesMetadata(code.rawValue) {
                        round.needsMetadata = true
                        continue
                    }
                    throw KafkaError.broker(code: code.rawValue, name: code.name, message: nil, context: "fetching \(tp)", retriable: false)
                }
                // A broker that does not check the position (Tansu answers one past the log's end with
                // no records and no error) is caught by the high watermark; the reset confirms it first.
                if partition.highWatermark >= 0 && position > partition.highWatermark {
                    round.outOfRange.append(tp)
                    continue
                }
                let (records, next) = try PartitionRecords.decode(partition, of: tp, at: position, isolation: settings.isolation, decoder: decoder)
                if next == position && partition.highWatermark > position { round.leftRecordsBehind = true }
                round.highWatermarks[tp] = partition.highWatermark
                round.records.append(contentsOf: records)
                round.positions[tp] = next
            }
        }
        return round
    }
}
