import KafkaProtocol
import Testing

@testable import Kafka

@Suite("PartitionSequencer: the sending order of one partition of an idempotent producer")
struct PartitionSequencerTests {
    private let duplicate = KafkaErrorCode.duplicateSequenceNumber.rawValue
    private let outOfOrder = KafkaErrorCode.outOfOrderSequenceNumber.rawValue

    @Test("sequences advance by each batch's record count and wrap to 0 after Int32.max")
    func sequencesAdvanceAndWrap() {
        var sequencer = PartitionSequencer()
        #expect(sequencer.assignSequence(recordCount: 10) == 0)
        #expect(sequencer.assignSequence(recordCount: 5) == 10)
        #expect(sequencer.nextSequence == 15)

        var nearEnd = PartitionSequencer()
        _ = nearEnd.assignSequence(recordCount: Int(Int32.max) - 2)
        #expect(nearEnd.assignSequence(recordCount: 5) == Int32.max - 2)
        #expect(nearEnd.nextSequence == 2)
    }

    @Test("at most maxInFlight batches go out; after a retriable failure, one at a time until it is written")
    func inFlightLimitAndRecovery() {
        var sequencer = PartitionSequencer(maxInFlight: 2)
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 1))
        #expect(sequencer.canSend)
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 1))
        #expect(!sequencer.canSend)

        #expect(sequencer.lost(baseSequence: 0) == .retry)
        #expect(sequencer.isRecovering)
        #expect(!sequencer.canSend, "batch 1 is still on the wire")
        #expect(sequencer.answered(baseSequence: 1, errorCode: outOfOrder, retriable: true) == .retry)
        #expect(sequencer.canSend)
        sequencer.sent(baseSequence: 0)
        #expect(!sequencer.canSend, "one batch at a time while recovering")
        #expect(sequencer.answered(baseSequence: 0, errorCode: 0, retriable: false) == .completed)
        #expect(!sequencer.isRecovering)
    }

    @Test("a duplicate answer to a batch's first sending is success")
    func duplicateOnFirstSendingCompletes() {
        var sequencer = PartitionSequencer()
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 3))
        #expect(sequencer.answered(baseSequence: 0, errorCode: duplicate, retriable: false) == .completed)
    }

    @Test("a duplicate answer to a batch sent again after its answer was lost is not trusted: new producer id, sent again")
    func duplicateAfterLostAnswerIsWrittenAgain() {
        var sequencer = PartitionSequencer()
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 3))
        #expect(sequencer.lost(baseSequence: 0) == .retry)
        sequencer.sent(baseSequence: 0)
        #expect(sequencer.answered(baseSequence: 0, errorCode: duplicate, retriable: false) == .retryWithNewProducerID)
        #expect(sequencer.isRecovering)

        sequencer.reset()
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 3))
        #expect(sequencer.answered(baseSequence: 0, errorCode: duplicate, retriable: false) == .completed,
                "after the reset, the batch's next sending is a first one again")
    }

    @Test("out of order again when alone on the wire means the broker lost its place: new producer id")
    func outOfOrderAloneNeedsNewProducerID() {
        var sequencer = PartitionSequencer()
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 1))
        #expect(sequencer.answered(baseSequence: 0, errorCode: outOfOrder, retriable: true) == .retry)
        sequencer.sent(baseSequence: 0)
        #expect(sequencer.answered(baseSequence: 0, errorCode: outOfOrder, retriable: true) == .retryWithNewProducerID)
    }

    @Test("a non-retriable refusal fails the batch")
    func nonRetriableFails() {
        var sequencer = PartitionSequencer()
        sequencer.sent(baseSequence: sequencer.assignSequence(recordCount: 1))
        #expect(sequencer.answered(baseSequence: 0, errorCode: KafkaErrorCode.messageTooLarge.rawValue, retriable: false) == .fail)
    }
}
