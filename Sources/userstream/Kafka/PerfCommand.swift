import ArgumentParser
import Foundation
import Kafka
import KafkaProtocol
import NIOCore
import Retry
import ServiceScope

/// `userstream kafka perf produce|consume`: throughput measurements like Kafka's perf-test tools.
struct PerfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perf",
        abstract: "Measure produce or consume throughput; prints one JSON line with records, seconds, records_per_sec, mb_per_sec.",
        subcommands: [Produce.self, Consume.self]
    )

    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Produce synthetic keyed JSON records of a given size.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic to produce to.") var topic: String
        @Option(help: "Number of records.") var records: Int
        @Option(help: "Size of each record value in bytes.") var recordSize: Int
        @Option(help: "Acknowledgements: 0, 1 or all.") var acks: AcksOption = .all
        @Option(help: "Compression: none, gzip, snappy, lz4 or zstd.") var compression: CompressionOption = .none
        @Option(help: "Batch size in bytes per partition.") var batchSize: Int = ProducerSettings().batchSize
        @Option(help: "Linger in milliseconds.") var lingerMs: Int = 5

        func validate() throws {
            try TopicName.validate(topic, from: "topic")
            _ = try NumberSetting.count("--records").resolve(records)
            _ = try NumberSetting.count("--record-size", from: 0, to: 64 << 20).resolve(recordSize)
            _ = try NumberSetting.count("--batch-size", to: 64 << 20).resolve(batchSize)
            _ = try NumberSetting.count("--linger-ms", from: 0, to: 60_000).resolve(lingerMs)
        }

        func run() async throws {
            var settings = ProducerSettings()
            settings.batchSize = batchSize
            settings.linger = .milliseconds(lingerMs)
            settings.acks = acks.value
            settings.compression = compression.codec
            if acks.value != .all { settings.idempotent = false }
            let producer = try await KafkaProducer(configuration: try connection.kafkaConfiguration(), settings: settings)
            let payload = SyntheticPayload(size: recordSize)
            let chunkSize = 10_000
            let started = ContinuousClock.now
            var failed = 0
            var firstError: KafkaError?
            try await whileRunning(producer) { await withTaskGroup(of: (Int, KafkaError?).self) { group in
                var inFlight = 0
                var next = 0
                while next < records {
                    let range = next..<min(records, next + chunkSize)
                    next = range.upperBound
                    if inFlight >= 8, let (f, e) = await group.next() {
                        failed += f
                        if firstError == nil { firstError = e }
                        inFlight -= 1
                    }
                    let chunk = range.map { i in
                        ProducerRecord(topic: topic, key: ByteBuffer(string: "key-\(i)"), value: payload.value(index: i))
                    }
                    group.addTask {
                        let results = await producer.send(contentsOf: chunk)
                        var f = 0
                        var e: KafkaError?
                        for case .failure(let error) in results {
                            f += 1
                            if e == nil { e = error }
                        }
                        return (f, e)
                    }
                    inFlight += 1
                }
                for await (f, e) in group {
                    failed += f
                    if firstError == nil { firstError = e }
                }
            } }
            let seconds = (ContinuousClock.now - started).fractionalSeconds
            if let firstError { printError(CommandLineHints.message("error: \(firstError) (\(failed) records failed)", for: firstError)) }
            printThroughput(records: records - failed, bytes: (records - failed) * recordSize, seconds: seconds)
            if failed > 0 { throw ExitCode.failure }
        }
    }

    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Consume records from the beginning of every partition until N have arrived.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic to consume.") var topic: String
        @Option(help: "Number of records to consume.") var records: Int
        @Option(help: "Give up after this many seconds without a new record.") var idleTimeout: Double = 10

        func validate() throws {
            try TopicName.validate(topic, from: "topic")
            _ = try NumberSetting.count("--records").resolve(records)
            _ = try NumberSetting.seconds("--idle-timeout").resolve(idleTimeout)
        }

        func run() async throws {
            let consumer = try await PartitionConsumer(configuration: try connection.kafkaConfiguration(), settings: ConsumerSettings())
            try await consumer.assign(topic: topic, from: .earliest)
            let started = ContinuousClock.now
            var consumed = 0
            var bytes = 0
            for try await batch in consumer.batches(idleTimeout: .milliseconds(Int64(idleTimeout * 1000))) {
                consumed += batch.count
                for record in batch { bytes += record.value?.readableBytes ?? 0 }
                if consumed >= records { break }
            }
            let seconds = (ContinuousClock.now - started).fractionalSeconds
            await consumer.shutdown()
            printThroughput(records: consumed, bytes: bytes, seconds: seconds)
            if consumed < records {
                printError("error: only \(consumed) of \(records) records arrived before \(idleTimeout) s of silence")
                throw ExitCode.failure
            }
        }
    }
}

/// The one JSON line both perf commands print.
func printThroughput(records: Int, bytes: Int, seconds: Double) {
    let perSecond = seconds > 0 ? Double(records) / seconds : 0
    let mbPerSecond = seconds > 0 ? Double(bytes) / 1_048_576 / seconds : 0
    print(String(format: #"{"records":%d,"seconds":%.3f,"records_per_sec":%.1f,"mb_per_sec":%.2f}"#, records, seconds, perSecond, mbPerSecond))
}

/// JSON-looking values of an exact size, with the record index inside so values differ.
struct SyntheticPayload: Sendable {
    let template: [UInt8]
    let indexOffset: Int

    init(size: Int) {
        let prefix = Array(#"{"id":"0000000000","data":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        let fill = max(0, size - prefix.count - suffix.count)
        var bytes = prefix + [UInt8](repeating: UInt8(ascii: "x"), count: fill) + suffix
        if bytes.count > size { bytes = Array(bytes.prefix(size)) }
        template = bytes
        indexOffset = 7
    }

    func value(index: Int) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: template)
        guard template.count >= indexOffset + 10 else { return buffer }
        var n = index
        for position in stride(from: indexOffset + 9, through: indexOffset, by: -1) {
            buffer.setInteger(UInt8(ascii: "0") + UInt8(n % 10), at: position)
            n /= 10
        }
        return buffer
    }
}
