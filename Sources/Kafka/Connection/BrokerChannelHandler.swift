import NIOCore

/// One encoded request on its way to the broker. The frame starts with the 4-byte size and the
/// v0+ request header; the handler writes its correlation id in place of bytes 8..<12.
struct BrokerRequest {
    var frame: ByteBuffer
    var api: String
    var expectsResponse: Bool
    var timeout: TimeAmount
    var promise: EventLoopPromise<ByteBuffer>

    static let correlationIDOffset = 8
}

/// Writes requests, matches response frames to them by correlation id, times them out, and
/// fails all in-flight requests when the connection goes away. Runs on the channel's event loop.
final class BrokerChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = BrokerRequest
    typealias OutboundOut = ByteBuffer

    struct Pending {
        var promise: EventLoopPromise<ByteBuffer>
        var api: String
        var timeout: TimeAmount
        var timer: Scheduled<Void>?
    }

    private var inFlight = InFlightRequests<Pending>()
    private let address: BrokerAddress
    private var context: ChannelHandlerContext?

    init(address: BrokerAddress) {
        self.address = address
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(KafkaError.connectionClosed(address))
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard let (correlationID, _) = inFlight.register(expectingResponse: request.expectsResponse, { id in
            Pending(promise: request.promise, api: request.api, timeout: request.timeout, timer: nil)
        }) else {
            request.promise.fail(KafkaError.connectionClosed(address))
            promise?.fail(KafkaError.connectionClosed(address))
            return
        }
        // The frame is still shared with the sender: writing into it would copy all of it (a
        // Produce request is megabytes). Its head, the id and its rest go out as three buffers instead.
        let frame = request.frame
        let head = frame.getSlice(at: frame.readerIndex, length: BrokerRequest.correlationIDOffset)!
        let restStart = frame.readerIndex + BrokerRequest.correlationIDOffset + 4
        let rest = frame.getSlice(at: restStart, length: frame.writerIndex - restStart)!
        var id = context.channel.allocator.buffer(capacity: 4)
        id.writeInteger(correlationID)
        context.write(wrapOutboundOut(head), promise: nil)
        context.write(wrapOutboundOut(id), promise: nil)
        if request.expectsResponse {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let timer = context.eventLoop.scheduleTask(in: request.timeout) {
                loopBound.value.timeout(correlationID: correlationID)
            }
            inFlight.update(correlationID) { $0.timer = timer }
            context.write(wrapOutboundOut(rest), promise: promise)
        } else {
            let requestPromise = request.promise
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { result in
                switch result {
                case .success: requestPromise.succeed(ByteBuffer())
                case .failure(let error): requestPromise.fail(error)
                }
            }
            written.futureResult.cascade(to: promise)
            context.write(wrapOutboundOut(rest), promise: written)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let correlationID = frame.getInteger(at: frame.readerIndex, as: Int32.self) else {
            context.fireErrorCaught(KafkaError.malformedResponse("response frame shorter than its header"))
            return
        }
        switch inFlight.responseReceived(correlationID: correlationID) {
        case .deliver(let pending):
            pending.timer?.cancel()
            pending.promise.succeed(frame)
        case .ignore:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KafkaError.connectionClosed(address))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error as? KafkaError ?? KafkaError.connectionFailed(address, reason: "\(error)"))
        context.close(promise: nil)
    }

    private func timeout(correlationID: Int32) {
        guard let pending = inFlight.timedOut(correlationID: correlationID) else { return }
        let seconds = Double(pending.timeout.nanoseconds) / 1e9
        pending.promise.fail(KafkaError.requestTimedOut(address, api: pending.api, after: .milliseconds(Int64(seconds * 1000))))
        // A connection that let a request time out may be stalled or black-holed: drop it, so
        // the next request opens a new one instead of waiting on this one again.
        context?.close(promise: nil)
    }

    private func failAll(_ error: Error) {
        for pending in inFlight.close() {
            pending.timer?.cancel()
            pending.promise.fail(error)
        }
    }
}
