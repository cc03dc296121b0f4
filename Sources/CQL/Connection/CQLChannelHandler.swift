import NIOCore

/// What a `CQLConnection` asks its channel to do.
enum CQLCommand: Sendable {
    case request(CQLRequest, knownColumns: [CQLColumn]?, timeout: TimeAmount?, promise: EventLoopPromise<CQLResponse>)
    case close
}

/// Performs the actions of `CQLConnectionStateMachine` on a channel: decodes frames (plain, or
/// inside v5 segments once the handshake switched framing), writes frames, runs timers.
final class CQLChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = CQLCommand
    typealias OutboundOut = ByteBuffer

    private var machine: CQLConnectionStateMachine
    private let startupPromise: EventLoopPromise<CQLProtocolVersion>
    private let startupTimeout: TimeAmount
    private var startupTimer: Scheduled<Void>?
    private var timers: [Int16: Scheduled<Void>] = [:]
    private var cumulation: ByteBuffer?
    private var envelopes: ByteBuffer?
    private var inboundSegments = false
    private let frameDecoder = CQLFrameDecoder()
    private let frameEncoder = CQLFrameEncoder()
    private let segmentDecoder = CQLSegmentDecoder()
    private let segmentEncoder = CQLSegmentEncoder()
    private var context: ChannelHandlerContext?

    init(configuration: CQLConnectionStateMachine.Configuration, startupTimeout: TimeAmount, startupPromise: EventLoopPromise<CQLProtocolVersion>) {
        self.machine = CQLConnectionStateMachine(configuration: configuration)
        self.startupTimeout = startupTimeout
        self.startupPromise = startupPromise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard startupTimer == nil else { return }
        let timeout = startupTimeout
        startupTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            perform(machine.startupTimedOut(after: timeout))
        }
        perform(machine.connected())
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if cumulation == nil { cumulation = bytes } else { cumulation!.writeBuffer(&bytes) }
        do {
            try decodeAvailable()
        } catch {
            perform(machine.decodingFailed(error))
        }
        if let current = cumulation, current.readableBytes == 0 { cumulation = nil }
    }

    private func decodeAvailable() throws(CQLError) {
        while var buffer = cumulation {
            if inboundSegments {
                guard let segment = try segmentDecoder.decode(&buffer) else { return }
                cumulation = buffer
                var payload = segment.payload
                if envelopes == nil { envelopes = payload } else { envelopes!.writeBuffer(&payload) }
                while var pendingEnvelopes = envelopes, let frame = try frameDecoder.decode(&pendingEnvelopes) {
                    envelopes = pendingEnvelopes.readableBytes > 0 ? pendingEnvelopes : nil
                    perform(machine.received(frame))
                }
            } else {
                guard let frame = try frameDecoder.decode(&buffer) else { return }
                cumulation = buffer
                perform(machine.received(frame))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.channelClosed(reason: "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        perform(machine.channelClosed(reason: "\(error)"))
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .request(let request, let knownColumns, let timeout, let responsePromise):
            perform(machine.send(request, knownColumns: knownColumns, timeout: timeout, promise: responsePromise))
        case .close:
            perform(machine.closeRequested())
        }
        promise?.succeed()
    }

    private func perform(_ actions: [CQLConnectionStateMachine.Action]) {
        guard let context else { return }
        var wrote = false
        for action in actions {
            switch action {
            case .write(let frame, let segmented):
                var frameBytes = context.channel.allocator.buffer(capacity: CQLFrameHeader.size + frame.body.readableBytes)
                frameEncoder.encode(frame, into: &frameBytes)
                if segmented {
                    var out = context.channel.allocator.buffer(capacity: frameBytes.readableBytes + 10)
                    segmentEncoder.encode(envelopes: frameBytes, into: &out)
                    context.write(wrapOutboundOut(out), promise: nil)
                } else {
                    context.write(wrapOutboundOut(frameBytes), promise: nil)
                }
                wrote = true
            case .switchInboundToSegments:
                inboundSegments = true
            case .scheduleTimeout(let stream, let delay):
                timers[stream] = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
                    timers[stream] = nil
                    perform(machine.timeoutFired(stream: stream))
                }
            case .cancelTimeout(let stream):
                timers.removeValue(forKey: stream)?.cancel()
            case .succeed(let promise, let response):
                promise.succeed(response)
            case .fail(let promise, let error):
                promise.fail(error)
            case .startupSucceeded(let version):
                startupTimer?.cancel()
                startupPromise.succeed(version)
            case .startupFailed(let error):
                startupTimer?.cancel()
                startupPromise.fail(error)
            case .close:
                context.close(promise: nil)
            }
        }
        if wrote { context.flush() }
    }
}
