import KafkaProtocol
import Retry

/// ListOffsets for many partitions: one request per leader, retried after metadata refreshes.
struct OffsetLookup {
    let cluster: KafkaCluster

    /// Where each partition starts when reading from `start`: the offset itself, or the log's
    /// earliest or latest offset.
    func offsets(for partitions: [TopicPartition], from start: ConsumerStart, isolation: IsolationLevel) async throws -> [TopicPartition: Int64] {
        switch start {
        case .offset(let offset):
            return Dictionary(partitions.map { ($0, offset) }, uniquingKeysWith: { first, _ in first })
        case .earliest, .latest:
            return try await offsets(for: partitions, start == .earliest ? .earliest : .latest, isolation: isolation)
        }
    }

    func offsets(for partitions: [TopicPartition], _ spec: OffsetSpec, isolation: IsolationLevel) async throws -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        var remaining = partitions
        var attempt = 0
        while !remaining.isEmpty {
            attempt += 1
            let metadata = try await cluster.currentMetadata()
            var byLeader: [Int32: [TopicPartition]] = [:]
            for tp in remaining {
                guard let leader = metadata.leader(topic: tp.topic, partition: tp.partition) else {
                    _ = try await cluster.topic(tp.topic)
                    byLeader[-1, default: []].append(tp)
                    continue
                }
                byLeader[leader.nodeID, default: []].append(tp)
            }
            var retry: [TopicPartition] = byLeader.removeValue(forKey: -1) ?? []
            var lastError: KafkaError?
            for (leader, tps) in byLeader {
                do {
                    let connection = try await cluster.connection(to: leader)
                    let topics = Dictionary(grouping: tps, by: \.topic).map { topic, tps in
                        ListOffsetsRequest.ListOffsetsTopic(name: topic, partitions: tps.map {
                            .init(partitionIndex: $0.partition, timestamp: spec.listOffsetsTimestamp, maxNumOffsets: 1)
                        })
                    }
                    let response = try await connection.send(ListOffsetsRequest(replicaId: -1, isolationLevel: isolation.rawValue, topics: topics))
                    for topic in response.topics {
                        for p in topic.partitions {
                            let tp = TopicPartition(topic: topic.name, partition: p.partitionIndex)
                            if p.errorCode == 0 {
                                result[tp] = p.offset >= 0 ? p.offset : (p.oldStyleOffsets.first ?? p.offset)
                            } else if MetadataRefreshPolicy.isRetriable(p.errorCode) {
                                retry.append(tp)
                                lastError = .broker(code: p.errorCode, name: KafkaErrorCode(rawValue: p.errorCode).name, message: nil, context: "ListOffsets for \(tp)", retriable: true)
                            } else {
                                throw KafkaError.broker(code: p.errorCode, name: KafkaErrorCode(rawValue: p.errorCode).name, message: nil, context: "ListOffsets for \(tp)", retriable: false)
                            }
                        }
                    }
                } catch let error as KafkaError where error.isRetriable {
                    retry.append(contentsOf: tps)
                    lastError = error
                }
            }
            remaining = retry
            if spec == .latest, remaining.isEmpty {
                try await raiseToHighWatermarks(&result, isolation: isolation)
            }
            if case .time(let milliseconds) = spec, remaining.isEmpty {
                try await checkTimeAnswers(&result, atOrAfter: milliseconds, isolation: isolation)
            }
            if !remaining.isEmpty {
                let retry = RetryPolicy.brokerRequests
                guard retry.allowsRetry(afterAttempt: attempt) else { throw lastError ?? KafkaError.unknownTopic(remaining[0].topic) }
                await cluster.invalidateMetadata()
                try await Task.sleep(for: retry.randomDelay(afterAttempt: attempt))
            }
        }
        return result
    }

    /// Tansu 0.6 answers ListOffsets(latest) with the last batch's base offset + 1 rather than
    /// the log end; the high watermark (or last stable offset) of a Fetch is right, so the
    /// larger of the two is used.
    private func raiseToHighWatermarks(_ offsets: inout [TopicPartition: Int64], isolation: IsolationLevel) async throws {
        let metadata = try await cluster.currentMetadata()
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in offsets.keys {
            if let leader = metadata.leader(topic: tp.topic, partition: tp.partition) { byLeader[leader.nodeID, default: []].append(tp) }
        }
        for (leader, tps) in byLeader {
            guard let connection = try? await cluster.connection(to: leader) else { continue }
            let topics = Dictionary(grouping: tps, by: \.topic).map { topic, tps in
                FetchRequest.FetchTopic(topic: topic, partitions: tps.map {
                    FetchRequest.FetchPartition(partition: $0.partition, fetchOffset: offsets[$0]!, partitionMaxBytes: 1024)
                })
            }
            // Tansu answers a fetch with maxWait 0 with no partitions at all, hence a short wait.
            let request = FetchRequest(maxWaitMs: 50, minBytes: 1, maxBytes: 65536, isolationLevel: isolation.rawValue, topics: topics)
            guard let response = try? await connection.send(request) else { continue }
            for topic in response.responses {
                for p in topic.partitions where p.errorCode == 0 {
                    let tp = TopicPartition(topic: topic.topic, partition: p.partitionIndex)
                    let end = isolation == .readCommitted && p.lastStableOffset >= 0 ? p.lastStableOffset : p.highWatermark
                    if let current = offsets[tp], end > current { offsets[tp] = end }
                }
            }
        }
    }
}
