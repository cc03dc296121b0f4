import KafkaProtocol

/// ListOffsets for many partitions: one request per leader, retried after metadata refreshes.
struct OffsetLookup {
    let cluster: KafkaCluster

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
                            .init(partitionIndex: $0.partition, timestamp: spec.timestamp, maxNumOffsets: 1)
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
            if !remaining.isEmpty {
                if attempt >= 10 { throw lastError ?? KafkaError.unknownTopic(remaining[0].topic) }
                await cluster.invalidateMetadata()
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        return result
    }
}
