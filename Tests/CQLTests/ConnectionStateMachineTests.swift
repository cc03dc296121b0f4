import NIOCore
import NIOPosix
import Testing
@testable import CQL
import CQLTestSupport

/// Drives `CQLConnectionStateMachine` with plain events; no sockets.
@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    func machine(_ choice: CQLConnectionStateMachine.VersionChoice = .negotiate, credentials: CQLCredentials? = nil, streams: Int = 32768) -> CQLConnectionStateMachine {
        CQLConnectionStateMachine(configuration: .init(host: "node1:9042", versionChoice: choice, credentials: credentials, streamLimit: streams))
    }

    func written(_ actions: [CQLConnectionStateMachine.Action]) -> [(CQLOpcode, Int16, UInt8, Bool)] {
        actions.compactMap { if case .write(let frame, let segmented) = $0 { (frame.header.opcode, frame.header.stream, frame.header.version, segmented) } else { nil } }
    }

    /// Each action as a line, promises by their index in `promises` and errors by their case, so
    /// a whole sequence is compared at once, order included.
    func steps(_ actions: [CQLConnectionStateMachine.Action], promises: [EventLoopPromise<CQLResponse>] = []) -> [String] {
        func name(_ promise: EventLoopPromise<CQLResponse>) -> String { promises.firstIndex(of: promise).map { "#\($0)" } ?? "?" }
        func name(_ error: CQLError) -> String { Mirror(reflecting: error).children.first?.label ?? "\(error)" }
        return actions.map { action in
            switch action {
            case .write(let frame, let segmented): "write \(frame.header.opcode) stream \(frame.header.stream)\(segmented ? " in segments" : "")"
            case .switchInboundToSegments: "switch inbound to segments"
            case .scheduleTimeout(let stream, let after): "schedule timeout \(stream) after \(after)"
            case .cancelTimeout(let stream): "cancel timeout \(stream)"
            case .succeed(let promise, let response): "succeed \(name(promise)) \(response)"
            case .fail(let promise, let error): "fail \(name(promise)) \(name(error))"
            case .startupSucceeded(let version): "startup succeeded \(version)"
            case .startupFailed(let error): "startup failed \(name(error))"
            case .close: "close"
            }
        }
    }

    func ready(_ machine: inout CQLConnectionStateMachine) {
        _ = machine.connected()
        _ = machine.received(CQLResponseWriter.supported(stream: 0, version: .v4, protocolVersions: ["4/v4"]))
        _ = machine.received(CQLResponseWriter.ready(stream: 0, version: .v4))
        #expect(machine.isReady)
    }

    @Test("OPTIONS then STARTUP v5 when SUPPORTED offers 5/v5; READY switches to segments")
    func negotiatesV5() {
        var machine = machine()
        let first = written(machine.connected())
        #expect(first.count == 1 && first[0].0 == .options && first[0].2 == 4 && !first[0].3)
        let second = written(machine.received(CQLResponseWriter.supported(stream: 0, version: .v4, protocolVersions: ["3/v3", "4/v4", "5/v5"])))
        #expect(second.count == 1 && second[0].0 == .startup && second[0].2 == 5 && !second[0].3)
        let actions = machine.received(CQLResponseWriter.ready(stream: 0, version: .v5))
        guard actions.count == 2, case .switchInboundToSegments = actions[0], case .startupSucceeded(.v5) = actions[1] else {
            Issue.record("got \(actions)"); return
        }
    }

    @Test("a beta v5 is not chosen")
    func betaV5Ignored() {
        var machine = machine()
        _ = machine.connected()
        let actions = written(machine.received(CQLResponseWriter.supported(stream: 0, version: .v4, protocolVersions: ["4/v4", "5/v5-beta"])))
        #expect(actions.first?.2 == 4)
    }

    @Test("AUTHENTICATE is answered with the PLAIN token; AUTH_SUCCESS completes startup")
    func authentication() {
        var machine = machine(.exactly(.v4), credentials: CQLCredentials(username: "u", password: "p"))
        #expect(written(machine.connected()).first?.0 == .startup)
        let response = machine.received(CQLResponseWriter.authenticate(stream: 0, version: .v4))
        #expect(steps(response) == ["write AUTH_RESPONSE stream 0"])
        guard case .write(let frame, false)? = response.first else { Issue.record("got \(response)"); return }
        #expect(frame.header.opcode == .authResponse)
        #expect(Array(frame.body.readableBytesView) == [0, 0, 0, 4, 0, 0x75, 0, 0x70])
        #expect(steps(machine.received(CQLResponseWriter.authSuccess(stream: 0, version: .v4))) == ["startup succeeded v4"])
    }

    @Test("an authentication error fails startup naming the user and closes")
    func authenticationError() {
        var machine = machine(.exactly(.v4), credentials: CQLCredentials(username: "u", password: "secret-pw"))
        _ = machine.connected()
        _ = machine.received(CQLResponseWriter.authenticate(stream: 0, version: .v4))
        let actions = machine.received(CQLResponseWriter.error(CQLServerError(code: .authenticationError, message: "bad"), stream: 0, version: .v4))
        guard actions.count == 2, case .startupFailed(let error) = actions[0], case .close = actions[1],
              case .authenticationFailed(let user, _, _) = error else { Issue.record("got \(actions)"); return }
        #expect(user == "u" && !"\(error)".contains("secret-pw"))
    }

    @Test("a protocol error to STARTUP v5 reports the version as rejected (the caller retries with v4)")
    func v5Rejected() {
        var machine = machine(.exactly(.v5))
        _ = machine.connected()
        let actions = machine.received(CQLResponseWriter.error(CQLServerError(code: .protocolError, message: "unsupported"), stream: 0, version: .v4))
        #expect(steps(actions) == ["startup failed protocolVersionRejected", "close"])
        guard case .startupFailed(.protocolVersionRejected(_, .v5, _))? = actions.first else { Issue.record("got \(actions)"); return }
    }

    @Test("requests get distinct stream ids; a timed-out id stays reserved until its late reply arrives")
    func streamIDsAndTimeouts() throws {
        var machine = machine(streams: 2)
        ready(&machine)
        let promises = (0..<3).map { _ in loop.makePromise(of: CQLResponse.self) }
        let sent = (0..<3).flatMap { machine.send(.query("q\($0)", CQLQueryParameters()), knownColumns: nil, timeout: .seconds(1), promise: promises[$0]) }
        #expect(written(sent).map(\.1) == [0, 1])  // the third waits for a free id
        #expect(steps(sent) == ["write QUERY stream 0", "schedule timeout 0 after \(TimeAmount.seconds(1))",
                                "write QUERY stream 1", "schedule timeout 1 after \(TimeAmount.seconds(1))"])
        #expect(machine.queuedCount == 1)

        let timeout = machine.timeoutFired(stream: 1)
        #expect(steps(timeout, promises: promises) == ["fail #1 requestTimedOut"])
        guard case .fail(_, .requestTimedOut(_, _, let after))? = timeout.first else { Issue.record("got \(timeout)"); return }
        #expect(after == .seconds(1))  // the TimeAmount given to send, back as a Duration
        #expect(machine.inFlightCount == 2)  // id 1 is still reserved
        #expect(machine.queuedCount == 1)

        let late = machine.received(CQLResponseWriter.void(stream: 1, version: .v4))
        #expect(!late.contains { if case .succeed = $0 { true } else { false } })  // the late reply is dropped
        #expect(written(late).map(\.1) == [1])  // and its id goes to the queued request
        #expect(steps(late) == ["write QUERY stream 1", "schedule timeout 1 after \(TimeAmount.seconds(1))"])
        #expect(machine.queuedCount == 0)

        // Exactly its timer cancelled and its answer; nothing is left to dispatch.
        let answer = machine.received(CQLResponseWriter.void(stream: 0, version: .v4))
        #expect(steps(answer, promises: promises) == ["cancel timeout 0", "succeed #0 \(CQLResponse.result(.void))"])
        for promise in promises { promise.succeed(.ready) }
    }

    @Test("an ERROR reply fails only its own request")
    func errorReply() {
        var machine = machine()
        ready(&machine)
        let promise = loop.makePromise(of: CQLResponse.self)
        _ = machine.send(.query("bad", CQLQueryParameters()), knownColumns: nil, timeout: nil, promise: promise)
        let actions = machine.received(CQLResponseWriter.error(CQLServerError(code: .syntaxError, message: "no"), stream: 0, version: .v4))
        #expect(steps(actions, promises: [promise]) == ["fail #0 server"])
        guard case .fail(_, .server(let error, "node1:9042"))? = actions.first else { Issue.record("got \(actions)"); return }
        #expect(error.code == .syntaxError)
        promise.succeed(.ready)
    }

    @Test("connection loss fails in-flight and queued requests with a retryable error")
    func connectionLoss() {
        var machine = machine(streams: 1)
        ready(&machine)
        let promises = (0..<2).map { _ in loop.makePromise(of: CQLResponse.self) }
        for promise in promises { _ = machine.send(.prepare("q"), knownColumns: nil, timeout: nil, promise: promise) }
        let actions = machine.channelClosed(reason: "reset")
        let failures = actions.compactMap { if case .fail(_, let error) = $0 { error } else { nil } }
        #expect(failures.count == 2)
        #expect(failures.allSatisfy { if case .connectionLost = $0 { $0.isRetryable } else { false } })
        let after = machine.send(.options, knownColumns: nil, timeout: nil, promise: loop.makePromise())
        guard case .fail(let promise, .connectionLost)? = after.first else { Issue.record("got \(after)"); return }
        promise.succeed(.ready)
        for promise in promises { promise.succeed(.ready) }
    }

    @Test("server events on stream -1 are ignored")
    func eventsIgnored() {
        var machine = machine()
        ready(&machine)
        let event = CQLResponseWriter.frame(.event, stream: -1, version: .v4) { $0.writeCQLString("STATUS_CHANGE") }
        #expect(machine.received(event).isEmpty)
    }
}
