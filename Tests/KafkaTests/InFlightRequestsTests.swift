import Testing
@testable import Kafka

@Suite struct InFlightRequestsTests {
    @Test("responses are matched by correlation id, in any order")
    func matchesOutOfOrder() {
        var inFlight = InFlightRequests<String>()
        let (a, _) = inFlight.register(expectingResponse: true) { "a\($0)" }!
        let (b, _) = inFlight.register(expectingResponse: true) { "b\($0)" }!
        #expect(a != b)
        guard case .deliver(let second) = inFlight.responseReceived(correlationID: b) else { Issue.record("b not delivered"); return }
        #expect(second == "b\(b)")
        guard case .deliver(let first) = inFlight.responseReceived(correlationID: a) else { Issue.record("a not delivered"); return }
        #expect(first == "a\(a)")
        #expect(inFlight.count == 0)
    }

    @Test("a response after its timeout is ignored")
    func lateResponseIgnored() {
        var inFlight = InFlightRequests<Int32>()
        let (id, _) = inFlight.register(expectingResponse: true) { $0 }!
        #expect(inFlight.timedOut(correlationID: id) == id)
        guard case .ignore = inFlight.responseReceived(correlationID: id) else { Issue.record("late response delivered"); return }
    }

    @Test("requests without a response (acks=0) are not kept")
    func fireAndForget() {
        var inFlight = InFlightRequests<Int32>()
        _ = inFlight.register(expectingResponse: false) { $0 }
        #expect(inFlight.count == 0)
    }

    @Test("closing fails every pending request in order and refuses new ones")
    func closeFailsAll() {
        var inFlight = InFlightRequests<Int32>()
        let ids = (0..<3).map { _ in inFlight.register(expectingResponse: true) { $0 }!.0 }
        #expect(inFlight.close() == ids)
        let refused = inFlight.register(expectingResponse: true) { $0 }
        #expect(refused == nil)
    }
}
