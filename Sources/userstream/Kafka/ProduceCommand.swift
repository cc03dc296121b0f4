import ArgumentParser
import Foundation
import Kafka
import KafkaProtocol
import NIOCore
import UserPipeline
import Retry
import ServiceScope

/// `userstream kafka produce TOPIC`: one record per stdin line.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce records read from standard input, one per line (key before --key-separator when given)."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to produce to.") var topic: String
    @Option(help: "Split each line at the first occurrence of this separator: key before it, value after.") var keySeparator: String?
    @Option(name: .customLong("header"), help: "Header as name=value added to every record; repeatable.") var headers: [String] = []
    @Option(help: "Compression: none, gzip, snappy, lz4 or zstd.") var compression: CompressionOption = .none
    @Option(help: "Acknowledgements: 0, 1 or all.") var acks: AcksOption = .all
    @Option(help: "Produce every record to this partition instead of partitioning by key.") var partition: Int32?
    @Option(help: "Largest record to send, in bytes; default 1048588, Kafka's default message.max.bytes (the topic's must allow it too).")
    var maxRecordBytes: Int?

    func validate() throws {
        try TopicName.validate(topic, from: "topic")
        _ = try Settings.partition.resolve(partition.map(Int.init))
        _ = try Settings.maxRecordBytes.resolve(maxRecordBytes)
    }

    func run() async throws {
        MemoryBudget.applyToThroughputTool()
        let recordHeaders = try headers.map { (entry) throws -> KafkaHeader in
            guard let eq = entry.firstIndex(of: "=") else { throw ValidationError("--header expects name=value, got '\(entry)'") }
            return KafkaHeader(key: String(entry[..<eq]), value: ByteBuffer(string: String(entry[entry.index(after: eq)...])))
        }
        var settings = ProducerSettings()
        settings.acks = acks.value
        settings.compression = compression.codec
        if acks.value != .all { settings.idempotent = false }
        if let maxRecordBytes { settings.maxRecordSize = maxRecordBytes }
        let producer = try await KafkaProducer(configuration: try connection.kafkaConfiguration(), settings: settings)

        let separator = keySeparator.map { Array($0.utf8) }
        let started = ContinuousClock.now
        var lines = StandardInputLines()
        var produced = 0
        var failed = 0
        var firstError: KafkaError?
        let chunkSize = 5_000
        let maxChunksInFlight = 8

        // Read once: a property-wrapper read per record shows in the profile.
        let (topic, partition) = (topic, partition)
        func record(_ line: ByteBuffer) -> ProducerRecord {
            guard let separator, let range = firstRange(of: separator, in: line) else {
                return ProducerRecord(topic: topic, value: line, headers: recordHeaders, partition: partition)
            }
            return ProducerRecord(topic: topic, key: line.getSlice(at: line.readerIndex, length: range.lowerBound),
                                  value: line.getSlice(at: line.readerIndex + range.upperBound, length: line.readableBytes - range.upperBound),
                                  headers: recordHeaders, partition: partition)
        }

        // Its shutdown at the end of the call delivers what is still queued.
        try await whileRunning(producer) { await withTaskGroup(of: [Result<RecordMetadata, KafkaError>].self) { group in
            var inFlight = 0
            func collect(_ results: [Result<RecordMetadata, KafkaError>]) {
                for result in results {
                    switch result {
                    case .success: produced += 1
                    case .failure(let error):
                        failed += 1
                        if firstError == nil { firstError = error }
                    }
                }
            }
            while true {
                var chunk: [ProducerRecord] = []
                chunk.reserveCapacity(chunkSize)
                while chunk.count < chunkSize, let line = lines.next() { chunk.append(record(line)) }
                if chunk.isEmpty { break }
                if inFlight >= maxChunksInFlight, let results = await group.next() {
                    collect(results)
                    inFlight -= 1
                }
                let batch = chunk
                group.addTask { await producer.send(contentsOf: batch) }
                inFlight += 1
            }
            for await results in group { collect(results) }
        } }
        let seconds = (ContinuousClock.now - started).fractionalSeconds
        if let firstError {
            // Only this command sends records of any size, so the flag is named here.
            let tooLarge: Bool = if case .messageTooLarge(_, _?) = firstError { true } else { false }
            printError(CommandLineHints.message("error: \(firstError)", for: firstError) + (tooLarge ? " — split the record, or raise --max-record-bytes" : ""))
        }
        if let readError = lines.readError {
            printError("error: reading standard input failed after \(produced + failed) records: \(String(cString: strerror(readError)))")
        }
        printError(String(format: "produced %d records to %@ (%d failed) in %.3f s, %.0f records/s",
                          produced, topic, failed, seconds, seconds > 0 ? Double(produced) / seconds : 0))
        if failed > 0 || firstError != nil || lines.readError != nil { throw ExitCode.failure }
    }
}

/// Where `needle` first occurs in `haystack`'s readable bytes, as offsets from its reader index.
func firstRange(of needle: [UInt8], in haystack: ByteBuffer) -> Range<Int>? {
    guard let first = needle.first else { return nil }
    return haystack.withUnsafeReadableBytes { raw -> Range<Int>? in
        let bytes = raw.bindMemory(to: UInt8.self)
        var start = 0
        while start + needle.count <= bytes.count {
            guard let hit = memchr(bytes.baseAddress! + start, Int32(first), bytes.count - start) else { return nil }
            start = bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            guard start + needle.count <= bytes.count else { return nil }
            if needle.indices.allSatisfy({ bytes[start + $0] == needle[$0] }) { return start..<(start + needle.count) }
            start += 1
        }
        return nil
    }
}

/// `--compression` values.
enum CompressionOption: String, ExpressibleByArgument, CaseIterable {
    case none, gzip, snappy, lz4, zstd
}

/// `--acks` values.
enum AcksOption: String, ExpressibleByArgument, CaseIterable {
    case zero = "0", one = "1", all
    var value: Acks {
        switch self {
        case .zero: .none
        case .one: .leader
        case .all: .all
        }
    }
}

extension CompressionOption {
    var codec: CompressionCodec {
        switch self {
        case .none: .none
        case .gzip: .gzip
        case .snappy: .snappy
        case .lz4: .lz4
        case .zstd: .zstd
        }
    }
}
