import KafkaProtocol
import NIOCore
import Testing

@Suite struct RoundTripTests {
    @Test("every message survives encode then decode at every version", arguments: MessageSample.all)
    func roundTripsAtEveryVersion(sample: MessageSample) throws {
        for version in sample.versions {
            for nulls in [false, true] {
                let result = try sample.roundTrip(version, nulls)
                #expect(result.equal, "\(sample.name) v\(version) nulls=\(nulls): \(result.firstDifference)")
                #expect(result.leftoverBytes == 0, "\(sample.name) v\(version): \(result.leftoverBytes) bytes left unread")
            }
        }
    }

    @Test("the sample list covers every generated API")
    func samplesCoverEveryApi() {
        let names = Set(MessageSample.all.map(\.name))
        for key in ApiKey.allGenerated {
            #expect(names.contains("\(key.name)Request"), "no sample for \(key.name)Request")
            #expect(names.contains("\(key.name)Response"), "no sample for \(key.name)Response")
        }
    }
}
